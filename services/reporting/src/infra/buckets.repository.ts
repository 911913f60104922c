import type { Collection } from 'mongoose';
import type { BucketDoc, BucketStore } from '../use-cases/ports.ts';
import { bulkOutcomes } from './bulk-outcomes.ts';

/** Pre-aggregated report buckets, read only by `_id` (`$in`), written with a revision check. */
export function createBucketStore(col: Collection): BucketStore {
  return {
    async findMany(ids) {
      if (ids.length === 0) return new Map();
      const docs = (await col.find({ _id: { $in: ids as never[] } }).toArray()) as unknown as BucketDoc[];
      return new Map(docs.map((d) => [d._id, d]));
    },
    async writeMany(writes) {
      return bulkOutcomes(
        col,
        writes.map((w) => {
          if ('insert' in w) return { insertOne: { document: w.insert as never } };
          const { _id, orgId, gen, kind, key, rev } = w.update;
          const update: Record<string, unknown> = {
            $set: { ...w.set, rev: rev + 1 },
            // Only when the document was removed meanwhile (its generation abandoned): it comes
            // back whole enough to be removed again.
            $setOnInsert: { orgId, gen, kind, key },
          };
          if (w.unset.length) update.$unset = Object.fromEntries(w.unset.map((k) => [k, '']));
          // Upsert makes a lost revision check a duplicate key error of this very op.
          return { updateOne: { filter: { _id: _id as never, rev }, update, upsert: true } };
        }),
      );
    },
    async clearOps(marks) {
      if (marks.length === 0) return;
      // One op per document, not per marker: the stand-in runs ops one by one. A document where
      // some marker changed meanwhile (its fact already had a next op) matches nothing; then
      // every marker is cleared alone, which leaves the changed ones.
      const byDoc = new Map<string, Map<string, string>>();
      let repeated = false;
      for (const m of marks) {
        const doc = byDoc.get(m.id) ?? new Map<string, string>();
        if (doc.has(m.fact)) repeated = true;
        doc.set(m.fact, m.opId);
        byDoc.set(m.id, doc);
      }
      if (!repeated) {
        const res = await col.bulkWrite(
          [...byDoc].map(([id, doc]) => {
            const filter: Record<string, unknown> = { _id: id };
            for (const [fact, opId] of doc) filter[`ops.${fact}`] = opId;
            const unset = Object.fromEntries([...doc.keys()].map((fact) => [`ops.${fact}`, '']));
            return { updateOne: { filter: filter as never, update: { $unset: unset } } };
          }),
          { ordered: false },
        );
        if (res.matchedCount === byDoc.size) return;
      }
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
