import type { FactDoc, FactStore } from '../use-cases/ports.ts';

const idsOf = (facts: Pick<FactDoc, 't' | 's'>) => [...facts.t.map((f) => f.id), ...facts.s.map((f) => f.id)];

/**
 * `ingestEvents` only counts the events that were new to the projections; a batch of deliveries
 * needs to know which ones were, to log each delivery's outcome. This wraps the fact store for one
 * ingest call: an event is fresh when a fact write of ours that took effect added its id to the
 * ticket's facts as they were read just before.
 */
export function trackFreshEvents(facts: FactStore) {
  const seen = new Map<string, Set<string>>();
  const fresh = new Set<string>();
  const wrote = (id: string, after: Pick<FactDoc, 't' | 's'>) => {
    const before = seen.get(id);
    for (const eventId of idsOf(after)) if (!before?.has(eventId)) fresh.add(eventId);
  };
  const store: FactStore = {
    ...facts,
    findMany: async (ids) => {
      const found = await facts.findMany(ids);
      for (const id of ids) {
        const doc = found.get(id);
        seen.set(id, new Set(doc ? idsOf(doc) : []));
      }
      return found;
    },
    writeMany: async (writes) => {
      const ok = await facts.writeMany(writes);
      for (const [i, w] of writes.entries()) if (ok[i]) wrote(w.doc._id, w.doc);
      return ok;
    },
  };
  return { facts: store, isFresh: (eventId: string) => fresh.has(eventId) };
}
