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
function fakeStore(stored: FactDoc | null, accept = true) {
  return {
    findMany: async () => new Map(stored ? [[stored._id, stored]] : []),
    insert: async () => accept,
    update: async () => accept,
  } as unknown as FactStore;
}

describe('trackFreshEvents', () => {
  it('when a write adds events to the facts read before it, then only those are fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(doc('t1', [fact('e1', 1)])));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.update('t1', 1, { t: [fact('e1', 1), fact('e2', 2)], s: [] }, null);
    expect(tracker.isFresh('e1')).toBe(false);
    expect(tracker.isFresh('e2')).toBe(true);
  });

  it('when a new fact document is inserted, then all its events are fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(null));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.insert(doc('t1', [fact('e1', 1)]));
    expect(tracker.isFresh('e1')).toBe(true);
  });

  it('when a write loses its revision check, then its events are not fresh', async () => {
    const tracker = trackFreshEvents(fakeStore(null, false));
    await tracker.facts.findMany(['t1']);
    await tracker.facts.insert(doc('t1', [fact('e1', 1)]));
    expect(tracker.isFresh('e1')).toBe(false);
  });
});
