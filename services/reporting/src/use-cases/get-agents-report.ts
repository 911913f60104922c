import { type DurSummary, mergeDurs, summarize } from '../domain/durations.ts';
import { byKey, type Filters, resolveRange } from '../domain/report-query.ts';
import { ReportQueryError } from '../domain/reports.errors.ts';
import { dayRange } from '../domain/time-zone.ts';
import type { ReportingDeps } from './deps.ts';
import { readWithSettings } from './known-settings.ts';
import { type Acc, accumulate, familiesFor, readDays, requireOrgZone } from './read-buckets.ts';

export type Duration = DurSummary & { business: DurSummary };

const duration = (acc: Acc, calendar: string, business: string): Duration => ({
  ...summarize(mergeDurs(acc.d[calendar] ?? [])),
  business: summarize(mergeDurs(acc.d[business] ?? [])),
});

/**
 * Per assignee (the one the ticket had when each figure happened; `assigned` counts assignments to the agent by the day
 * they happened): resolutions and first-response / resolution times, calendar and business.
 */
export async function getAgentsReport(
  deps: ReportingDeps,
  orgId: string,
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
  filters: Filters,
) {
  if ('p' in filters && 'c' in filters) {
    throw new ReportQueryError(
      'REPORT_FILTER_UNSUPPORTED',
      'The agents report is grouped by agent, so it takes at most one of priority and category; got both.',
      'category',
    );
  }
  const { value } = await readWithSettings(deps, orgId, async (s) => {
    const tz = requireOrgZone(s, q.tz);
    const { from, to } = resolveRange(q, tz, deps.clock());
    return { tz, from, to, days: await readDays(deps, s, dayRange(from, to), familiesFor(filters, 'agent')) };
  });
  const { tz, from, to, days } = value;
  const { groups } = accumulate([...days.values()].flat(), filters, 'agent');
  const rows = [...groups.entries()]
    .map(([key, acc]) => ({
      key,
      agent_id: key,
      assigned: acc.n.assigned ?? 0,
      resolved: acc.n.resolved ?? 0,
      first_response: duration(acc, 'fr', 'fr_b'),
      resolution: duration(acc, 'res', 'res_b'),
    }))
    .sort(byKey)
    .map(({ key: _key, ...row }) => row);
  return { from, to, tz, rows };
}
