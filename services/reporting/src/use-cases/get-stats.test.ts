import { describe, expect, it } from 'vitest';
import { dayRange, localDay, SLOT_MS, slotOf, startOfLocalDay, utcDay } from '../domain/time-zone.ts';
import { bucketId } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import { getStats } from './get-stats.ts';
import type { BucketDoc, OrgSettings } from './ports.ts';

const ORG = 'org-1';
const settings: OrgSettings = { orgId: ORG, tz: 'UTC', gen: 3, lastGen: 3, building: null, rev: 1 };

/** One ticket opened in every UTC quarter hour from `from` to `to` (UTC days), as /stats/ stores them. */
function depsWithOneOpenedPerSlot(from: string, to: string): ReportingDeps {
  const docs = new Map<string, BucketDoc>();
  for (const day of dayRange(from, to)) {
    const n = Object.fromEntries(Array.from({ length: 96 }, (_, slot) => [`opened@${slot}`, 1]));
    const id = bucketId(settings, `q|${day}`);
    docs.set(id, {
      _id: id,
      orgId: ORG,
      gen: 3,
      kind: 'q',
      key: day,
      cells: { '*': { n } },
      rev: 1,
      ops: {},
    });
  }
  return {
    settings: { get: async () => settings },
    buckets: {
      findMany: async (ids: string[]) =>
        new Map(ids.flatMap((id) => (docs.get(id) ? [[id, docs.get(id)]] : []))),
    },
    clock: () => new Date('2026-11-16T12:00:00Z'),
  } as unknown as ReportingDeps;
}

/** Quarter hours of each local day, counted one by one. */
function expectedSlots(day: string, tz: string) {
  let n = 0;
  const start = Date.parse(`${day}T00:00:00Z`) - 2 * 86_400_000;
  for (let at = start; at < start + 5 * 86_400_000; at += SLOT_MS) if (localDay(at, tz) === day) n++;
  return n;
}

describe('stats across DST changes at local midnight', () => {
  it.each([
    // Midnight is skipped: 00:00 local never happens on these days.
    ['Atlantic/Azores', '2026-03-28', '2026-03-28'],
    ['Atlantic/Azores', '2026-03-28', '2026-03-29'],
    ['America/Santiago', '2026-09-05', '2026-09-05'],
    ['America/Santiago', '2026-09-05', '2026-09-06'],
    ['America/Havana', '2026-03-07', '2026-03-07'],
    ['America/Havana', '2026-03-07', '2026-03-08'],
    ['Europe/Berlin', '2026-10-24', '2026-10-26'],
  ])(
    'when the zone is %s from %s to %s, then every quarter hour of each local day counts, once',
    async (tz, from, to) => {
      const deps = depsWithOneOpenedPerSlot(
        utcDay(Date.parse(`${from}T00:00:00Z`) - 3 * 86_400_000),
        utcDay(Date.parse(`${to}T00:00:00Z`) + 3 * 86_400_000),
      );
      const r = await getStats(deps, ORG, { from, to, tz });
      expect(r.series.map((row) => [row.date, row.opened])).toEqual(
        dayRange(from, to).map((day) => [day, expectedSlots(day, tz)]),
      );
    },
  );

  it('when the day starts after a skipped midnight, then its start is the first instant of the day', () => {
    // Azores leave UTC-1 for UTC+0 at 00:00 local on 2026-03-29: the day starts at 01:00 local.
    expect(new Date(startOfLocalDay('2026-03-29', 'Atlantic/Azores')).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(localDay(Date.parse('2026-03-29T00:30:00Z'), 'Atlantic/Azores')).toBe('2026-03-28');
    expect(new Date(startOfLocalDay('2026-09-06', 'America/Santiago')).toISOString()).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-03-08', 'America/Havana')).toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    expect(slotOf(Date.parse('2026-03-29T00:45:00Z'))).toBe(3);
  });
});

describe('stats from stored counters', () => {
  it('when a day document holds a key that is not a counter of a slot of the day, then it is left out', async () => {
    const deps = depsWithOneOpenedPerSlot('2026-11-09', '2026-11-17');
    const id = bucketId(settings, 'q|2026-11-16');
    const doc = (await deps.buckets.findMany([id])).get(id) as BucketDoc;
    const n = (doc.cells['*'] as { n: Record<string, number> }).n;
    Object.assign(n, { opened: 7, 'opened@96': 7, 'opened@x': 7, '@3': 7, 'bogus@4': 7, 'resolved@5': 2 });
    const r = await getStats(deps, ORG, { from: '2026-11-15', to: '2026-11-16', tz: 'UTC' });
    expect(r.series).toEqual([
      { date: '2026-11-15', opened: 96, resolved: 0, closed: 0, reopened: 0, cancelled: 0, escalated: 0 },
      { date: '2026-11-16', opened: 96, resolved: 2, closed: 0, reopened: 0, cancelled: 0, escalated: 0 },
    ]);
    expect(r.totals).toEqual({
      opened: 192,
      resolved: 2,
      closed: 0,
      reopened: 0,
      cancelled: 0,
      escalated: 0,
    });
  });
});
