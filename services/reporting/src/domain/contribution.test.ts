import type { Envelope } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { story } from '../../test/scenario.ts';
import { contributionOf, dimsAtOf, key } from './contribution.ts';
import { diffContributions } from './delta.ts';
import { percent } from './percent.ts';
import { addFacts, type ParsedEvent, parseEvent, type TicketFacts } from './ticket-facts.ts';

const factsOf = (events: Envelope[]): TicketFacts =>
  addFacts(
    { t: [], s: [] },
    events.map(parseEvent).filter((p): p is ParsedEvent => p !== null),
  );

function lifecycle() {
  // Created at 23:30 UTC on 2026-10-24: 01:30 CEST on the 25th, the day Berlin leaves summer time.
  const s = story('o', 't1', '2026-10-24T23:30:00.000Z', { priority: 'high', categoryId: 'c1' });
  return [
    s.created(),
    s.assigned('2026-10-25T08:00:00.000Z', 'agent-1'),
    s.replied('2026-10-25T22:30:00.000Z'),
    s.status('2026-10-25T23:10:00.000Z', 'resolved'),
    s.fulfilled('2026-10-25T23:10:00.000Z', 'resolution', false, 7_200_000),
  ];
}

describe('a ticket’s contribution', () => {
  it('when counted in a zone, then events land on their local days (a DST day included)', () => {
    const c = contributionOf(factsOf(lifecycle()), 'Europe/Berlin');
    expect(c.n.get(key('d|2026-10-25|all', '*', 'opened'))).toBe(1);
    // 22:30 UTC is 23:30 CET on the 25th; 23:10 UTC is 00:10 on the 26th.
    expect(c.d.get(key('d|2026-10-25|p', 'p=high', 'fr'))).toEqual([23 * 3_600_000]);
    expect(c.n.get(key('d|2026-10-26|a', 'a=agent-1', 'resolved'))).toBe(1);
    expect(c.n.get(key('d|2026-10-26|ca', 'c=c1&a=agent-1', 'miss:resolution'))).toBe(1);
    expect(c.d.get(key('d|2026-10-26|all', '*', 'res_b'))).toEqual([7_200_000]);
    expect(c.n.get(key('d|2026-10-25|all', '*', 'bd'))).toBe(1);
    expect(c.n.get(key('d|2026-10-26|all', '*', 'bd'))).toBe(-1);
    // The stats slots stay in UTC whatever the zone.
    expect(c.n.get(key('q|2026-10-24', '*', 'opened@94'))).toBe(1);
    expect(c.n.get(key('q|2026-10-25', '*', 'resolved@92'))).toBe(1);
  });

  it('when events arrive in any order, then the contribution is the same', () => {
    const events = lifecycle();
    const inOrder = contributionOf(factsOf(events), 'UTC');
    const reversed = contributionOf(factsOf([...events].reverse()), 'UTC');
    expect([...reversed.n].sort()).toEqual([...inOrder.n].sort());
    expect([...reversed.d].sort()).toEqual([...inOrder.d].sort());
  });

  it('when a resolved ticket is reopened, then the delta takes its resolution back', () => {
    const s = story('o', 't2', '2026-11-01T10:00:00.000Z');
    const first = [s.created(), s.status('2026-11-02T10:00:00.000Z', 'resolved')];
    const reopen = s.status('2026-11-03T10:00:00.000Z', 'in_progress', { reopened: true });
    const before = factsOf(first);
    const after = addFacts(before, [parseEvent(reopen) as ParsedEvent]);
    const delta = diffContributions(contributionOf(before, 'UTC'), contributionOf(after, 'UTC'));
    const nov2 = delta.find((d) => d.doc === 'd|2026-11-02|all')?.cells.find((c) => c.cell === '*');
    expect(nov2?.d).toEqual([['res', [], [86_400_000]]]);
    const nov3 = delta.find((d) => d.doc === 'd|2026-11-03|all')?.cells.find((c) => c.cell === '*');
    expect(nov3?.n).toEqual(
      expect.arrayContaining([
        ['reopened', 1],
        ['bd', 1],
      ]),
    );
  });

  it('when an open ticket changes priority, then earlier figures stay under the old one and the backlog moves that day', () => {
    const s = story('o', 't3', '2026-11-01T10:00:00.000Z', { priority: 'low' });
    const c = contributionOf(
      factsOf([
        s.created(),
        s.updated('2026-11-02T10:00:00.000Z', { priority: 'high' }),
        s.status('2026-11-03T10:00:00.000Z', 'resolved'),
      ]),
      'UTC',
    );
    const n = (day: string, cell: string, name: string) => c.n.get(key(`d|${day}|p`, cell, name)) ?? 0;
    expect(n('2026-11-01', 'p=low', 'opened')).toBe(1);
    expect(n('2026-11-01', 'p=high', 'opened')).toBe(0);
    expect([n('2026-11-01', 'p=low', 'bd'), n('2026-11-02', 'p=low', 'bd')]).toEqual([1, -1]);
    expect([n('2026-11-02', 'p=high', 'bd'), n('2026-11-03', 'p=high', 'bd')]).toEqual([1, -1]);
    expect(n('2026-11-03', 'p=high', 'resolved')).toBe(1);
    expect(c.d.get(key('d|2026-11-03|p', 'p=high', 'res'))).toEqual([2 * 86_400_000]);
    // The org-wide backlog does not move on the change.
    expect(c.n.get(key('d|2026-11-02|all', '*', 'bd')) ?? 0).toBe(0);
  });

  it('when a resolved ticket is reassigned, then its resolution stays with the agent who had it', () => {
    const s = story('o', 't4', '2026-11-01T10:00:00.000Z');
    const c = contributionOf(
      factsOf([
        s.created(),
        s.assigned('2026-11-01T11:00:00.000Z', 'agent-1'),
        s.status('2026-11-02T10:00:00.000Z', 'resolved'),
        s.assigned('2026-11-03T10:00:00.000Z', 'agent-2'),
      ]),
      'UTC',
    );
    expect(c.n.get(key('d|2026-11-02|a', 'a=agent-1', 'resolved'))).toBe(1);
    expect(c.n.get(key('d|2026-11-02|a', 'a=agent-2', 'resolved'))).toBeUndefined();
    expect(c.d.get(key('d|2026-11-02|a', 'a=agent-1', 'res'))).toEqual([86_400_000]);
    expect(c.n.get(key('d|2026-11-03|a', 'a=agent-2', 'assigned'))).toBe(1);
  });

  it('when nothing changes, then the delta is empty', () => {
    const facts = factsOf(lifecycle());
    expect(diffContributions(contributionOf(facts, 'UTC'), contributionOf(facts, 'UTC'))).toEqual([]);
  });
});

describe('a ticket’s dimensions at an instant', () => {
  it('when looked up, then they are those of its last event in sequence order at or before then', () => {
    // Event times need not grow with the sequence (clocks of two services), so the answer is
    // checked against a scan of every fact, on facts in random order of time.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const t = Array.from({ length: 1 + random(12) }, (_, seq) => ({
        id: `e${seq}`,
        seq,
        type: 'ticket.updated',
        at: random(20) * 1_000,
        p: `p${random(4)}`,
        c: random(3) === 0 ? null : `c${random(3)}`,
        a: random(3) === 0 ? null : `a${random(3)}`,
        status: 'open' as const,
        createdAt: 0,
        firstResponseAt: null,
        resolvedAt: null,
      }));
      const dimsAt = dimsAtOf({ t, s: [] });
      for (let at = -1_000; at <= 21_000; at += 500) {
        let found = t[0];
        for (const f of t) if (f.at <= at) found = f;
        expect(dimsAt(at)).toEqual(found ? { p: found.p, c: found.c, a: found.a } : null);
      }
    }
    expect(dimsAtOf({ t: [], s: [] })(0)).toBeNull();
  });
});

describe('percentages', () => {
  it('when met and breached are counted, then shares have one decimal and null for nothing', () => {
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(2, 3)).toBe(66.7);
    expect(percent(0, 0)).toBeNull();
    expect(percent(5, 5)).toBe(100);
  });
});
