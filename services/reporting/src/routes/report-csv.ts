import { type CsvCell, toCsv } from '../domain/csv.ts';
import type { Duration, getAgentsReport } from '../use-cases/get-agents-report.ts';
import type { Ageing, getBacklogReport } from '../use-cases/get-backlog-report.ts';
import type { getSlaReport, SlaRow } from '../use-cases/get-sla-report.ts';
import type { getStats } from '../use-cases/get-stats.ts';
import { CLOCKS } from '../use-cases/read-buckets.ts';

/*
 * CSV columns, one line per entry:
 * - stats: date, opened, resolved, escalated, closed, reopened, cancelled (one per day).
 * - sla: scope (`row` or `total`), key, then per clock <clock>_met, <clock>_breached,
 *   <clock>_met_pct, <clock>_breached_pct, then escalated_<level> for every level present, then
 *   breached_<clock> (one per row, then the total).
 * - agents: agent_id, assigned, resolved, then for first_response and resolution: _count,
 *   _mean_ms, _median_ms, _p90_ms, _business_count, _business_mean_ms, _business_median_ms,
 *   _business_p90_ms.
 * - backlog: kind (`day`, `total`, `row`), date (day lines), key (row lines), open, lt_1d, d1_3,
 *   d3_7, d7_30, gt_30d (ageing on total and row lines).
 */

type Stats = Awaited<ReturnType<typeof getStats>>;
type Sla = Awaited<ReturnType<typeof getSlaReport>>;
type Agents = Awaited<ReturnType<typeof getAgentsReport>>;
type Backlog = Awaited<ReturnType<typeof getBacklogReport>>;

const STAT_COLUMNS = ['opened', 'resolved', 'escalated', 'closed', 'reopened', 'cancelled'] as const;

export const statsCsv = (r: Stats) =>
  toCsv(
    ['date', ...STAT_COLUMNS],
    r.series.map((s) => [s.date, ...STAT_COLUMNS.map((c) => s[c])]),
  );

export function slaCsv(r: Sla): string {
  const all = [...r.rows, r.total];
  const levels = [...new Set(all.flatMap((row) => Object.keys(row.escalated)))].sort(
    (a, b) => Number(a) - Number(b),
  );
  const header = [
    'scope',
    'key',
    ...CLOCKS.flatMap((c) => [`${c}_met`, `${c}_breached`, `${c}_met_pct`, `${c}_breached_pct`]),
    ...levels.map((l) => `escalated_${l}`),
    ...CLOCKS.map((c) => `breached_${c}`),
  ];
  const line = (scope: string, row: SlaRow): CsvCell[] => [
    scope,
    row.key,
    ...CLOCKS.flatMap((c) => {
      const v = row.clocks[c];
      return [v?.met, v?.breached, v?.met_pct, v?.breached_pct];
    }),
    ...levels.map((l) => row.escalated[l] ?? 0),
    ...CLOCKS.map((c) => row.breached[c]),
  ];
  return toCsv(header, [...r.rows.map((row) => line('row', row)), line('total', r.total)]);
}

const DUR_COLUMNS = ['count', 'mean_ms', 'median_ms', 'p90_ms'] as const;
const durCells = (d: Duration): CsvCell[] => [
  ...DUR_COLUMNS.map((k) => d[k]),
  ...DUR_COLUMNS.map((k) => d.business[k]),
];

export const agentsCsv = (r: Agents) =>
  toCsv(
    [
      'agent_id',
      'assigned',
      'resolved',
      ...['first_response', 'resolution'].flatMap((p) => [
        ...DUR_COLUMNS.map((k) => `${p}_${k}`),
        ...DUR_COLUMNS.map((k) => `${p}_business_${k}`),
      ]),
    ],
    r.rows.map((row) => [
      row.agent_id,
      row.assigned,
      row.resolved,
      ...durCells(row.first_response),
      ...durCells(row.resolution),
    ]),
  );

const AGEING = ['lt_1d', 'd1_3', 'd3_7', 'd7_30', 'gt_30d'] as const;
const ageingCells = (a: Ageing | null): CsvCell[] => AGEING.map((k) => (a ? a[k] : null));

export const backlogCsv = (r: Backlog) =>
  toCsv(
    ['kind', 'date', 'key', 'open', ...AGEING],
    [
      ...r.series.map((s): CsvCell[] => ['day', s.date, null, s.open, ...ageingCells(null)]),
      ['total', null, null, null, ...ageingCells(r.ageing)],
      ...r.rows.map((row): CsvCell[] => ['row', null, row.key, row.open, ...ageingCells(row.ageing)]),
    ],
  );
