/**
 * A bucket document holds one "cell" per combination of at most two of the ticket's dimensions
 * (priority, category, assignee) plus the org-wide cell `*`, so any report with a group-by and
 * one filter, or two filters, reads a fixed set of cells per day whatever the number of tickets.
 */
export interface Dims {
  p: string;
  c: string | null;
  a: string | null;
}
export type Dim = keyof Dims;
export const DIM_ORDER: readonly Dim[] = ['p', 'c', 'a'];

/** Safe as a MongoDB field name (no `.`, no leading `$`); null is the empty string. */
export const encodeValue = (v: string | null) =>
  v === null ? '' : encodeURIComponent(v).replaceAll('.', '%2E').replaceAll('*', '%2A');
export const decodeValue = (v: string): string | null => (v === '' ? null : decodeURIComponent(v));

export function cellKey(dims: Partial<Record<Dim, string | null>>): string {
  const parts = DIM_ORDER.filter((d) => d in dims).map(
    (d) => `${d}=${encodeValue(dims[d] as string | null)}`,
  );
  return parts.length === 0 ? '*' : parts.join('&');
}

export function parseCellKey(key: string): Partial<Record<Dim, string | null>> {
  if (key === '*') return {};
  const out: Partial<Record<Dim, string | null>> = {};
  for (const part of key.split('&')) {
    const i = part.indexOf('=');
    out[part.slice(0, i) as Dim] = decodeValue(part.slice(i + 1));
  }
  return out;
}

/**
 * Cells of the same dimensions live in one document per day (`all`, `p`, `c`, `a`, `pc`, `pa`,
 * `ca`), so a report reads only the families it needs.
 */
export function familyOf(key: string): string {
  if (key === '*') return 'all';
  let family = families.get(key);
  if (family === undefined) {
    family = key
      .split('&')
      .map((part) => part[0])
      .join('');
    remember(families, key, family);
  }
  return family;
}

/**
 * Projecting a ticket asks for the cells of the same few dimension values over and over: both
 * answers are remembered, in maps cleared when full (the values come from events).
 */
const families = new Map<string, string>();
const cellLists = new Map<string, readonly string[]>();
const remember = <V>(cache: Map<string, V>, key: string, value: V) => {
  if (cache.size >= 16_384) cache.clear();
  cache.set(key, value);
};

/** The seven cells a ticket with these dimensions counts in (a shared array: do not change it). */
export function cellsOf(d: Dims): readonly string[] {
  // JSON keeps null apart from the string "null".
  const id = JSON.stringify([d.p, d.c, d.a]);
  let cells = cellLists.get(id);
  if (cells === undefined) {
    cells = Object.freeze(listCells(d));
    remember(cellLists, id, cells);
  }
  return cells;
}

function listCells(d: Dims): string[] {
  return [
    '*',
    cellKey({ p: d.p }),
    cellKey({ c: d.c }),
    cellKey({ a: d.a }),
    cellKey({ p: d.p, c: d.c }),
    cellKey({ p: d.p, a: d.a }),
    cellKey({ c: d.c, a: d.a }),
  ];
}
