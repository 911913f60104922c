import { cellKey, DIM_ORDER, type Dim, familyOf, parseCellKey } from './cells.ts';
import { ReportQueryError } from './reports.errors.ts';
import { addDays, daysBetween, localDay, utcDay } from './time-zone.ts';

export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 7;
export const GROUP_BY = { priority: 'p', category: 'c', agent: 'a' } as const;
export type GroupBy = keyof typeof GROUP_BY;

const isDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && utcDay(Date.parse(`${s}T00:00:00Z`) || 0) === s;

/** Inclusive local dates; by default the last 7 days ending today in `tz`. */
export function resolveRange(
  q: { from?: string | undefined; to?: string | undefined },
  tz: string,
  now: Date,
) {
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !isDate(v)) {
      throw new ReportQueryError(
        'REPORT_DATE_INVALID',
        `${field} must be a date as YYYY-MM-DD, got "${v}".`,
        field,
      );
    }
  }
  const today = localDay(now.getTime(), tz);
  const to = q.to ?? (q.from ? addDays(q.from, DEFAULT_RANGE_DAYS - 1) : today);
  const from = q.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to)
    throw new ReportQueryError('REPORT_RANGE_INVALID', `from (${from}) is after to (${to}).`, 'from');
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) {
    throw new ReportQueryError(
      'REPORT_RANGE_TOO_LONG',
      `The range covers ${daysBetween(from, to) + 1} days; at most ${MAX_RANGE_DAYS} are allowed.`,
      'to',
    );
  }
  return { from, to };
}

export type Filters = Partial<Record<Dim, string | null>>;

/** The query parameter of each dimension. */
export const PARAM_OF: Record<Dim, string> = { p: 'priority', c: 'category', a: 'agent' };

/**
 * Which cells answer a report: the filtered population (`total`), and per group value when
 * grouping. Buckets hold cells of at most two dimensions, so the filters and the group-by may
 * name at most two of them together.
 */
export function cellSelector(filters: Filters, groupBy: GroupBy | undefined) {
  const dim = groupBy ? GROUP_BY[groupBy] : undefined;
  const dims = new Set<Dim>([...(Object.keys(filters) as Dim[]), ...(dim ? [dim] : [])]);
  if (dims.size > 2) {
    const sent = [
      ...DIM_ORDER.filter((d) => d in filters).map((d) => PARAM_OF[d]),
      ...(groupBy ? [`group_by=${groupBy}`] : []),
    ];
    throw new ReportQueryError(
      'REPORT_FILTER_UNSUPPORTED',
      `Got ${sent.join(', ')}: a report combines at most two of priority, category and agent (group_by counting as one); drop one of them.`,
      groupBy ? 'group_by' : (PARAM_OF[DIM_ORDER.filter((d) => d in filters).at(-1) as Dim] as string),
    );
  }
  const total = cellKey(filters);
  /** The group value of `key` when it is one of the groups, else undefined. */
  const groupOf = (key: string): { value: string | null } | undefined => {
    if (!dim) return undefined;
    const parsed = parseCellKey(key);
    const keys = Object.keys(parsed);
    if (keys.length !== dims.size || !(dim in parsed)) return undefined;
    for (const [d, v] of Object.entries(filters)) if (parsed[d as Dim] !== v) return undefined;
    return { value: parsed[dim] as string | null };
  };
  const families = [familyOf(total), ...(dim ? [familyOf(cellKey({ ...filters, [dim]: null }))] : [])];
  return { total, groupOf, families: [...new Set(families)] };
}

/** Rows sort by key, the tickets without one last. */
export const byKey = <T extends { key: string | null }>(a: T, b: T) =>
  a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1;
