import { percent } from '../domain/percent.ts';
import { byKey, type Filters, type GroupBy, resolveRange } from '../domain/report-query.ts';
import { dayRange } from '../domain/time-zone.ts';
import type { ReportingDeps } from './deps.ts';
import { readWithSettings } from './known-settings.ts';
import { type Acc, accumulate, CLOCKS, familiesFor, readDays, requireOrgZone } from './read-buckets.ts';

function slaRow(key: string | null, acc: Acc) {
  const n = (k: string) => acc.n[k] ?? 0;
  const clocks = Object.fromEntries(
    CLOCKS.map((c) => {
      const met = n(`met:${c}`);
      const breached = n(`miss:${c}`);
      return [
        c,
        {
          met,
          breached,
          met_pct: percent(met, met + breached),
          breached_pct: percent(breached, met + breached),
        },
      ];
    }),
  );
  const escalated = Object.fromEntries(
    Object.entries(acc.n)
      .filter(([k]) => k.startsWith('esc:'))
      .map(([k, v]) => [k.slice(4), v] as const)
      .filter(([, v]) => v !== 0)
      .sort(([a], [b]) => Number(a) - Number(b)),
  );
  const breached = Object.fromEntries(CLOCKS.map((c) => [c, n(`br:${c}`)]));
  return { key, clocks, escalated, breached };
}
export type SlaRow = ReturnType<typeof slaRow>;

/** SLA compliance per clock (by the day the verdict fell), escalations per level, breaches per clock. */
export async function getSlaReport(
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
    return {
      tz,
      from,
      to,
      days: await readDays(deps, s, dayRange(from, to), familiesFor(filters, q.group_by)),
    };
  });
  const { tz, from, to, days } = value;
  const { total, groups } = accumulate([...days.values()].flat(), filters, q.group_by);
  const rows = [...groups.entries()].map(([key, acc]) => slaRow(key, acc)).sort(byKey);
  return { from, to, tz, group_by: q.group_by ?? null, rows, total: slaRow(null, total) };
}
