import type { Contribution } from './contribution.ts';

/** The change to one cell of one bucket document. */
export interface CellDelta {
  cell: string;
  n: [name: string, by: number][];
  d: [name: string, add: number[], remove: number[]][];
}

/** The change to one bucket document (`doc` as in Contribution keys). */
export interface DocDelta {
  doc: string;
  cells: CellDelta[];
}

function removeOnce(list: number[], v: number): boolean {
  const i = list.indexOf(v);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** What turns `before` into `after`, grouped by document and cell, in a stable order. */
export function diffContributions(before: Contribution, after: Contribution): DocDelta[] {
  const docs = new Map<string, Map<string, CellDelta>>();
  const cellOf = (k: string) => {
    const [doc, cell] = k.split('\t') as [string, string];
    const cells = docs.get(doc) ?? new Map<string, CellDelta>();
    docs.set(doc, cells);
    const c = cells.get(cell) ?? { cell, n: [], d: [] };
    cells.set(cell, c);
    return c;
  };
  const name = (k: string) => k.split('\t')[2] as string;

  for (const k of new Set([...before.n.keys(), ...after.n.keys()])) {
    const by = (after.n.get(k) ?? 0) - (before.n.get(k) ?? 0);
    if (by !== 0) cellOf(k).n.push([name(k), by]);
  }
  for (const k of new Set([...before.d.keys(), ...after.d.keys()])) {
    const removed = [...(before.d.get(k) ?? [])];
    const added: number[] = [];
    for (const v of after.d.get(k) ?? []) if (!removeOnce(removed, v)) added.push(v);
    if (added.length || removed.length) cellOf(k).d.push([name(k), added, removed]);
  }
  return [...docs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([doc, cells]) => ({ doc, cells: [...cells.values()] }));
}
