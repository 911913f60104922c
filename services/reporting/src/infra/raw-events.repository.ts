import type { Envelope } from '@helpdesk/contracts';
import type { Collection } from 'mongoose';
import type { RawEventStore } from '../use-cases/ports.ts';
import { isDuplicateKey } from './reporting.models.ts';

/** The event log projections are rebuilt from, keyed by event id so a repeat is recognised. */
export function createRawEventStore(col: Collection): RawEventStore {
  return {
    async insertMany(events) {
      if (events.length === 0) return;
      const docs = events.map((e) => ({ _id: e.id as never, orgId: e.orgId, type: e.type, envelope: e }));
      try {
        await col.insertMany(docs, { ordered: false });
      } catch (err) {
        const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
        const all = writeErrors ?? [err];
        if (!all.every((e) => isDuplicateKey(e) || (e as { err?: { code?: number } }).err?.code === 11000))
          throw err;
      }
    },
    async *scan(orgId, batchSize) {
      // The stand-in scans the collection for this filter; rebuilds are rare and run in the background.
      const cursor = col.find({ orgId }, { projection: { envelope: 1 } }).batchSize(batchSize);
      let batch: Envelope[] = [];
      for await (const doc of cursor) {
        batch.push((doc as unknown as { envelope: Envelope }).envelope);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    async orgIds() {
      return ((await col.distinct('orgId')) as string[]).sort();
    },
  };
}
