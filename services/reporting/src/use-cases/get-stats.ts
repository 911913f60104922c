import { STAT_COUNTERS, type StatCounter } from '../domain/contribution.ts';
import { resolveRange } from '../domain/report-query.ts';
import { ReportQueryError } from '../domain/reports.errors.ts';
import { addDays, canonicalZone, dayRange, slotDayMapper } from '../domain/time-zone.ts';
import { bucketId } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import { readWithSettings } from './known-settings.ts';

export type StatsRow = { date: string } & Record<StatCounter, number>;

const STAT_SET: ReadonlySet<string> = new Set(STAT_COUNTERS);

const zeros = () => Object.fromEntries(STAT_COUNTERS.map((c) => [c, 0])) as Record<StatCounter, number>;

/**
 * System A's stats for any zone: counters are kept per UTC quarter hour in one document per UTC
 * day, so a local day of any zone is an exact sum of slots, read from range + 2 documents.
 */
export async function getStats(
  deps: ReportingDeps,
  orgId: string,
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
) {
  const { value } = await readWithSettings(deps, orgId, async (s) => {
    const tz = q.tz === undefined ? s.tz : canonicalZone(q.tz);
    if (!tz) throw new ReportQueryError('REPORT_TZ_INVALID', `"${q.tz}" is not an IANA time zone.`, 'tz');
    const { from, to } = resolveRange(q, tz, deps.clock());
    // Offsets stay within ±14 h, so the local days lie within the UTC days around them; the slot
    // mapper drops what falls outside. (Computing the local midnights instead goes wrong in zones
    // whose DST change skips midnight itself, such as Atlantic/Azores.)
    const utcDays = dayRange(addDays(from, -1), addDays(to, 1));
    const ids = utcDays.map((d) => bucketId(s, `q|${d}`));
    const docs = await deps.buckets.findMany(ids);
    return { tz, from, to, days: utcDays.map((d, i) => ({ day: d, doc: docs.get(ids[i] as string) })) };
  });
  const { tz, from, to, days } = value;
  const series = new Map(dayRange(from, to).map((date) => [date, { date, ...zeros() } as StatsRow]));
  for (const { day: d, doc } of days) {
    const counters = doc?.cells['*']?.n;
    if (!counters) continue;
    const dayOf = slotDayMapper(d, tz);
    // A busy day has a counter in nearly every slot of its 96: the local day of each slot is
    // worked out once per document, not once per counter.
    const rows: (StatsRow | undefined | null)[] = [];
    for (const name in counters) {
      const at = name.indexOf('@');
      const slot = Number(name.slice(at + 1));
      // Only `counter@slot` of a known counter and a slot of the day counts; the projection
      // writes nothing else, and a stray key must not turn a figure into NaN.
      if (at < 1 || !Number.isInteger(slot) || slot < 0 || slot >= 96) continue;
      let row = rows[slot];
      if (row === undefined) {
        row = series.get(dayOf(slot)) ?? null;
        rows[slot] = row;
      }
      const counter = name.slice(0, at);
      if (row && STAT_SET.has(counter)) row[counter as StatCounter] += counters[name] as number;
    }
  }
  const totals = zeros();
  for (const row of series.values()) for (const c of STAT_COUNTERS) totals[c] += row[c];
  return { from, to, tz, totals, series: [...series.values()] };
}
