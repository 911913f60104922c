import type { Collection } from 'mongoose';
import type { FactDoc, FactStore } from '../use-cases/ports.ts';
import { bulkOutcomes } from './bulk-outcomes.ts';

/** One document per ticket and generation: its facts, and the bucket op not yet fully applied. */
export function createFactStore(col: Collection): FactStore {
  return {
    async findMany(ids) {
      const docs = (await col.find({ _id: { $in: ids as never[] } }).toArray()) as unknown as FactDoc[];
      return new Map(docs.map((d) => [d._id, d]));
    },
    async writeMany(writes) {
      return bulkOutcomes(
        col,
        writes.map(({ doc, prevRev }) => {
          if (prevRev === null) return { insertOne: { document: doc as never } };
          const { orgId, gen, ticketId } = doc;
          return {
            updateOne: {
              filter: { _id: doc._id as never, rev: prevRev },
              update: {
                $set: { t: doc.t, s: doc.s, pending: doc.pending, rev: doc.rev },
                // Only when the document was removed meanwhile (its generation abandoned): it
                // comes back whole enough to be removed again.
                $setOnInsert: { orgId, gen, ticketId },
              },
              // Upsert makes a lost revision check a duplicate key error of this very op.
              upsert: true,
            },
          };
        }),
      );
    },
    async clearPending(ops) {
      if (ops.length === 0) return;
      await col.bulkWrite(
        ops.map((o) => ({
          updateOne: {
            filter: { _id: o.id as never, 'pending.opId': o.opId },
            update: { $set: { pending: null } },
          },
        })),
        { ordered: false },
      );
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
