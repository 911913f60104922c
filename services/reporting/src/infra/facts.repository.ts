import type { Collection } from 'mongoose';
import type { FactDoc, FactStore } from '../use-cases/ports.ts';
import { isDuplicateKey } from './reporting.models.ts';

/** One document per ticket and generation: its facts, and the bucket op not yet fully applied. */
export function createFactStore(col: Collection): FactStore {
  return {
    async findMany(ids) {
      const docs = (await col.find({ _id: { $in: ids as never[] } }).toArray()) as unknown as FactDoc[];
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
    async update(id, rev, facts, pending) {
      const res = await col.updateOne(
        { _id: id as never, rev },
        { $set: { t: facts.t, s: facts.s, pending, rev: rev + 1 } },
      );
      return res.matchedCount === 1;
    },
    async clearPending(id, opId) {
      await col.updateOne({ _id: id as never, 'pending.opId': opId }, { $set: { pending: null } });
    },
    async takeOver(id, rev, opId, leaseUntil) {
      const res = await col.updateOne(
        { _id: id as never, rev, 'pending.opId': opId },
        { $set: { 'pending.leaseUntil': leaseUntil, rev: rev + 1 } },
      );
      return res.matchedCount === 1;
    },
    async releaseLease(id, opId, leaseUntil) {
      await col.updateOne(
        { _id: id as never, 'pending.opId': opId, 'pending.leaseUntil': leaseUntil },
        { $set: { 'pending.leaseUntil': 0 } },
      );
    },
    async expiredOps(now, limit) {
      // A rare sweep: the stand-in scans for it; MongoDB uses the sparse index on the lease.
      return (await col
        .find({ 'pending.leaseUntil': { $lt: now } })
        .limit(limit)
        .toArray()) as unknown as FactDoc[];
    },
    async deleteGenerationsBelow(orgId, gen) {
      await col.deleteMany({ orgId, gen: { $lt: gen } });
    },
    async deleteGeneration(orgId, gen) {
      await col.deleteMany({ orgId, gen });
    },
  };
}
