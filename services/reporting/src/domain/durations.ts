/**
 * A mergeable summary of durations (ms) whose stored form depends only on the multiset of values
 * it holds, never on the order they were added and removed in: so a live bucket and a rebuilt one
 * are equal documents and give equal figures. Values fall in log-scale bins of ratio GAMMA; each
 * bin keeps its count and its sum, both of which removal can undo exactly.
 *
 * Figures: count and mean are exact. Median and p90 use one definition everywhere, linear
 * interpolation between the closest ranks (numpy's default), where the value at a rank is the
 * mean of its bin: exact while the ranks involved sit alone in their bins (or share them only
 * with equal values), as small buckets usually do, and otherwise within 1% (GAMMA - 1) of the
 * exact figure (plus rounding to whole ms).
 */
export interface Dur {
  /** count */
  c: number;
  /** sum, ms */
  s: number;
  /** bin index (or `z` for 0) → [count, sum of its values in ms] */
  h: Record<string, [number, number]>;
}

export const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);

export function binOf(v: number): string {
  return v < 1 ? 'z' : String(Math.floor(Math.log(v) / LOG_GAMMA));
}

const clean = (v: number) => Math.max(0, Math.round(v));

function put(h: Dur['h'], v: number, by: 1 | -1) {
  const b = binOf(v);
  const [n, sum] = h[b] ?? [0, 0];
  if (n + by > 0) h[b] = [n + by, sum + by * v];
  else delete h[b];
}

/** Adds and removes values; undefined when nothing is left (an empty bucket is no bucket). */
export function applyDur(d: Dur | undefined, add: number[], remove: number[]): Dur | undefined {
  const next: Dur = d
    ? { c: d.c, s: d.s, h: Object.fromEntries(Object.entries(d.h).map(([b, e]) => [b, [...e]])) }
    : { c: 0, s: 0, h: {} };
  for (const raw of add) {
    const v = clean(raw);
    next.c += 1;
    next.s += v;
    put(next.h, v, 1);
  }
  for (const raw of remove) {
    const v = clean(raw);
    next.c -= 1;
    next.s -= v;
    put(next.h, v, -1);
  }
  return next.c > 0 ? next : undefined;
}

/** Merges buckets (days, cells) into one summary. */
export function mergeDurs(parts: Iterable<Dur | undefined>): Dur {
  const out: Dur = { c: 0, s: 0, h: {} };
  for (const d of parts) {
    if (!d) continue;
    out.c += d.c;
    out.s += d.s;
    for (const [b, [n, sum]] of Object.entries(d.h)) {
      const [n0, sum0] = out.h[b] ?? [0, 0];
      out.h[b] = [n0 + n, sum0 + sum];
    }
  }
  return out;
}

const binOrder = (a: string, b: string) => (a === 'z' ? -1 : b === 'z' ? 1 : Number(a) - Number(b));

/** Quantile interpolated between the closest ranks, each rank's value being its bin's mean. */
function quantile(d: Dur, p: number): number {
  const bins = Object.keys(d.h).sort(binOrder);
  const pos = (d.c - 1) * p;
  const at = (rank: number) => {
    let seen = 0;
    for (const b of bins) {
      const [n, sum] = d.h[b] as [number, number];
      seen += n;
      if (seen > rank) return sum / n;
    }
    const [n, sum] = d.h[bins[bins.length - 1] as string] as [number, number];
    return sum / n;
  };
  const lo = at(Math.floor(pos));
  const hi = at(Math.ceil(pos));
  return Math.round(lo + (hi - lo) * (pos - Math.floor(pos)));
}

export interface DurSummary {
  count: number;
  mean_ms: number | null;
  median_ms: number | null;
  p90_ms: number | null;
}

export function summarize(d: Dur): DurSummary {
  if (d.c <= 0) return { count: 0, mean_ms: null, median_ms: null, p90_ms: null };
  return {
    count: d.c,
    mean_ms: Math.round(d.s / d.c),
    median_ms: quantile(d, 0.5),
    p90_ms: quantile(d, 0.9),
  };
}
