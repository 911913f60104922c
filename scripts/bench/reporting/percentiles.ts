// Figures and table cells shared by the reporting benchmark's phases.

/** Nearest rank over a copy, NaN when empty. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** `met` / `NOT met`, as every target line of the benchmark prints it. */
export const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function table(header: string[], rows: Array<Array<string | number>>, widths: number[]): string {
  const line = (cells: Array<string | number>) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 12) : String(c).padStart(widths[i] ?? 10)))
      .join('');
  return [line(header), ...rows.map(line)].join('\n');
}
