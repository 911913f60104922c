import { byKey, type Filters, type GroupBy, resolveRange } from '../domain/report-query.ts';
import { addDays, dayRange, daysBetween, localDay } from '../domain/time-zone.ts';
import { bucketId } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import { readWithSettings } from './known-settings.ts';
import { type Acc, accumulate, familiesFor, readDays, requireOrgZone } from './read-buckets.ts';

const AGEING_DAYS = 30;

export interface Ageing {
  lt_1d: number;
  d1_3: number;
  d3_7: number;
  d7_30: number;
  gt_30d: number;
}

const sumMonths = (acc: Acc | undefined, prefix: string, before?: string) =>
  Object.entries(acc?.n ?? {})
    .filter(([k]) => k.startsWith(prefix) && (before === undefined || k.slice(prefix.length) < before))
    .reduce((n, [, v]) => n + v, 0);

function ageingOf(
  openCreatedOn: (day: string) => number,
  openNow: number,
  days: string[],
  today: string,
): Ageing {
  const out: Ageing = { lt_1d: 0, d1_3: 0, d3_7: 0, d7_30: 0, gt_30d: 0 };
  let recent = 0;
  for (const day of days) {
    const v = openCreatedOn(day);
    recent += v;
    const age = daysBetween(day, today);
    if (age < 1) out.lt_1d += v;
    else if (age < 3) out.d1_3 += v;
    else if (age < 7) out.d3_7 += v;
    else out.d7_30 += v;
  }
  out.gt_30d = openNow - recent;
  return out;
}

/**
 * Open tickets at the end of each day: the running sum of openings and closings, from per-month
 * sums in the org summary up to the range's month, then its day buckets. Ageing of the tickets
 * open now, by whole days since creation in the org's zone (created today: lt_1d; 1-2 days ago:
 * d1_3; 3-6: d3_7; 7-29: d7_30; earlier: gt_30d). Rows (with group_by): open at the end of `to`,
 * and ageing, per group value.
 */
export async function getBacklogReport(
  deps: ReportingDeps,
  orgId: string,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    tz?: string | undefined;
    group_by?: GroupBy | undefined;
  },
  filters: Filters,
) {
  const { value } = await readWithSettings(deps, orgId, async (s) => {
    const tz = requireOrgZone(s, q.tz);
    const { from, to } = resolveRange(q, tz, deps.clock());
    const today = localDay(deps.clock().getTime(), tz);
    const monthStart = `${from.slice(0, 7)}-01`;
    const ageDays = dayRange(addDays(today, -(AGEING_DAYS - 1)), today);
    const rangeDays = dayRange(monthStart, to);
    const families = familiesFor(filters, q.group_by);
    const summaryIds = families.map((f) => bucketId(s, `s|${f}`));
    const [docs, found] = await Promise.all([
      readDays(deps, s, [...new Set([...rangeDays, ...ageDays])], families),
      deps.buckets.findMany(summaryIds),
    ]);
    return {
      tz,
      from,
      to,
      today,
      ageDays,
      rangeDays,
      docs,
      summaries: summaryIds.map((id) => found.get(id)),
    };
  });
  const { tz, from, to, today, ageDays, rangeDays, docs, summaries } = value;
  const perDay = new Map([...docs].map(([day, list]) => [day, accumulate(list, filters, q.group_by)]));
  const summary = accumulate(summaries, filters, q.group_by);
  const month = from.slice(0, 7);

  let open = sumMonths(summary.total, 'bm:', month);
  const series: { date: string; open: number }[] = [];
  for (const date of rangeDays) {
    open += perDay.get(date)?.total.n.bd ?? 0;
    if (date >= from) series.push({ date, open });
  }
  const ageing = ageingOf(
    (day) => perDay.get(day)?.total.n.oc ?? 0,
    sumMonths(summary.total, 'om:'),
    ageDays,
    today,
  );

  const keys = new Set<string | null>(summary.groups.keys());
  for (const acc of perDay.values()) for (const k of acc.groups.keys()) keys.add(k);
  const rows = [...keys]
    .map((key) => {
      let openAtEnd = sumMonths(summary.groups.get(key), 'bm:', month);
      for (const date of rangeDays) openAtEnd += perDay.get(date)?.groups.get(key)?.n.bd ?? 0;
      const rowAgeing = ageingOf(
        (day) => perDay.get(day)?.groups.get(key)?.n.oc ?? 0,
        sumMonths(summary.groups.get(key), 'om:'),
        ageDays,
        today,
      );
      return { key, open: openAtEnd, ageing: rowAgeing };
    })
    .filter((r) => r.open !== 0 || Object.values(r.ageing).some((v) => v !== 0))
    .sort(byKey);
  return { from, to, tz, group_by: q.group_by ?? null, series, ageing, rows };
}
