import { SLA_CLOCKS } from '@helpdesk/contracts';
import type { Dur } from '../domain/durations.ts';
import { cellSelector, type Filters, type GroupBy } from '../domain/report-query.ts';
import { ReportQueryError } from '../domain/reports.errors.ts';
import { canonicalZone } from '../domain/time-zone.ts';
import { bucketId } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import type { BucketDoc, Cell, OrgSettings } from './ports.ts';

/** Sums of counters and the duration buckets to merge, for one row of a report. */
export interface Acc {
  n: Record<string, number>;
  d: Record<string, Dur[]>;
}

export const emptyAcc = (): Acc => ({ n: {}, d: {} });

export function addCell(acc: Acc, cell: Cell | undefined): void {
  if (!cell) return;
  for (const [k, v] of Object.entries(cell.n ?? {})) acc.n[k] = (acc.n[k] ?? 0) + v;
  for (const [k, v] of Object.entries(cell.d ?? {})) {
    const list = acc.d[k] ?? [];
    list.push(v);
    acc.d[k] = list;
  }
}

/** The org's day buckets of `families` for `days` (org zone), by day. */
export async function readDays(deps: ReportingDeps, s: OrgSettings, days: string[], families: string[]) {
  const id = (d: string, f: string) => bucketId(s, `d|${d}|${f}`);
  const docs = await deps.buckets.findMany(days.flatMap((d) => families.map((f) => id(d, f))));
  return new Map(days.map((d) => [d, families.flatMap((f) => docs.get(id(d, f)) ?? [])]));
}

/** The families of cells a report with these filters and grouping reads. */
export const familiesFor = (filters: Filters, groupBy: GroupBy | undefined) =>
  cellSelector(filters, groupBy).families;

/** Sums the selected cells of `docs`: the filtered total, and one Acc per group value. */
export function accumulate(
  docs: Iterable<BucketDoc | undefined>,
  filters: Filters,
  groupBy: GroupBy | undefined,
) {
  const { total, groupOf } = cellSelector(filters, groupBy);
  const sum = emptyAcc();
  const groups = new Map<string | null, Acc>();
  for (const doc of docs) {
    if (!doc) continue;
    addCell(sum, doc.cells[total]);
    if (!groupBy) continue;
    for (const [key, cell] of Object.entries(doc.cells)) {
      const g = groupOf(key);
      if (!g) continue;
      const acc = groups.get(g.value) ?? emptyAcc();
      groups.set(g.value, acc);
      addCell(acc, cell);
    }
  }
  return { total: sum, groups };
}

/**
 * Only /stats/ reads quarter-hour slots; the other reports are bucketed by the org's day, so they
 * answer only in the org's zone.
 */
export function requireOrgZone(s: OrgSettings, tz: string | undefined): string {
  if (tz === undefined) return s.tz;
  const zone = canonicalZone(tz);
  if (!zone) throw new ReportQueryError('REPORT_TZ_INVALID', `"${tz}" is not an IANA time zone.`, 'tz');
  if (zone !== s.tz) {
    throw new ReportQueryError(
      'REPORT_TZ_UNSUPPORTED',
      `This report is bucketed by day in the org's reporting time zone (${s.tz}); change it with PUT /api/reports/settings/ to report in ${zone}.`,
      'tz',
    );
  }
  return zone;
}

export const CLOCKS = SLA_CLOCKS;
