import { describe, expect, it } from 'vitest';
import type { TicketFact } from '../domain/ticket-facts.ts';
import type { FactDoc, FactStore } from '../use-cases/ports.ts';
import { trackFreshEvents } from './fresh-events.ts';

const fact = (id: string, seq: number) => ({ id, seq }) as TicketFact;
const doc = (id: string, facts: TicketFact[]): FactDoc => ({
  _id: id,
  orgId: 'o',
  gen: 1,
  ticketId: id,
  t: facts,
  s: [],
  rev: 1,
  pending: null,
});

/** Holds one ticket's facts; `accept` decides whether a write wins its revision check. */
function fakeStore(stored: FactDoc | null, accept: boolean | boolean[] = true) {
  return {
    findMany: async () => new Map(stored ? [[stored._id, stored]] : []),
    writeMany: async (writes: unknown[]) =>
      writes.map((_, i) => (Array.isArray(accept) ? accept[i] : accept)),
  } as unknown as FactStore;
}

describe('trackFreshEvents', () => {
  it('when a write adds events to the facts read before it, then only those are fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(doc('t1', [fact('e1', 1)])));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.writeMany([
      { doc: { ...doc('t1', [fact('e1', 1), fact('e2', 2)]), rev: 2 }, prevRev: 1 },
    ]);
    expect(tracker.isFresh('e1')).toBe(false);
    expect(tracker.isFresh('e2')).toBe(true);
  });

  it('when a new fact document is inserted, then all its events are fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(null));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.writeMany([{ doc: doc('t1', [fact('e1', 1)]), prevRev: null }]);
    expect(tracker.isFresh('e1')).toBe(true);
  });

  it('when a write loses its revision check, then its events are not fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(null, false));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.writeMany([{ doc: doc('t1', [fact('e1', 1)]), prevRev: null }]);
    expect(tracker.isFresh('e1')).toBe(false);
  });

  it("when one write of a batch loses and another wins, then only the winner's events are fresh", async () => {
    const tracker = trackFreshEvents(fakeStore(null, [false, true]));
    await tracker.facts.findMany(['t1', 't2']);
    await tracker.facts.writeMany([
      { doc: doc('t1', [fact('e1', 1)]), prevRev: null },
      { doc: doc('t2', [fact('e2', 1)]), prevRev: null },
    ]);
    expect(tracker.isFresh('e1')).toBe(false);
    expect(tracker.isFresh('e2')).toBe(true);
  });
});
