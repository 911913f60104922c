import type { Collection } from 'mongoose';
import type { BucketDoc, BucketStore } from '../use-cases/ports.ts';
import { isDuplicateKey } from './reporting.models.ts';

/** Pre-aggregated report buckets, read only by `_id` (`$in`), written with a revision check. */
export function createBucketStore(col: Collection): BucketStore {
  return {
    async findMany(ids) {
      if (ids.length === 0) return new Map();
      const docs = (await col.find({ _id: { $in: ids as never[] } }).toArray()) as unknown as BucketDoc[];
      return new Map(docs.map((d) => [d._id, d]));
    },
    async insert(doc) {
      try {
        await col.insertOne(doc as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async update(id, rev, set, unset) {
      const update: Record<string, unknown> = { $set: { ...set, rev: rev + 1 } };
      if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
      const res = await col.updateOne({ _id: id as never, rev }, update);
      return res.matchedCount === 1;
    },
    async clearOps(marks) {
      if (marks.length === 0) return;
      await col.bulkWrite(
        marks.map((m) => ({
          updateOne: {
            filter: { _id: m.id as never, [`ops.${m.fact}`]: m.opId },
            update: { $unset: { [`ops.${m.fact}`]: '' } },
          },
        })),
        { ordered: false },
      );
    },
    async deleteGenerationsBelow(orgId, gen) {
      await col.deleteMany({ orgId, gen: { $lt: gen } });
    },
    async deleteGeneration(orgId, gen) {
      await col.deleteMany({ orgId, gen });
    },
  };
}
