/**
 * A mergeable summary of durations (ms) with a bounded size per bucket. It keeps the exact values
 * while a bucket holds at most EXACT_MAX of them, and always a log-scale histogram (bins of ratio
 * GAMMA, answered by their geometric middle: at most ~1% relative error). Once a bucket holds
 * more than EXACT_MAX values its exact list is dropped for good, until it empties; so a bucket that
 * briefly held 65 values and lost some answers from the histogram. Sum and count stay exact, so
 * the mean is exact.
 */
export interface Dur {
  /** count */
  c: number;
  /** sum, ms */
  s: number;
  /** the values, sorted, or null once the bucket outgrew EXACT_MAX */
  x: number[] | null;
  /** histogram: bin index (or `z` for 0) → count */
  h: Record<string, number>;
}

export const EXACT_MAX = 64;
export const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

export function binOf(v: number): string {
  return v < 1 ? 'z' : String(Math.floor(Math.log(v) / LOG_GAMMA));
}

export function binValue(bin: string): number {
  return bin === 'z' ? 0 : Math.round(GAMMA ** (Number(bin) + 0.5));
}

const clean = (v: number) => Math.max(0, Math.round(v));

/** Adds and removes values; undefined when nothing is left (an empty bucket is no bucket). */
export function applyDur(d: Dur | undefined, add: number[], remove: number[]): Dur | undefined {
  const next: Dur = d
    ? { c: d.c, s: d.s, x: d.x ? [...d.x] : null, h: { ...d.h } }
    : { c: 0, s: 0, x: [], h: {} };
  for (const raw of add) {
    const v = clean(raw);
    next.c += 1;
    next.s += v;
    const b = binOf(v);
    next.h[b] = (next.h[b] ?? 0) + 1;
    next.x?.push(v);
  }
  for (const raw of remove) {
    const v = clean(raw);
    next.c -= 1;
    next.s -= v;
    const b = binOf(v);
    const left = (next.h[b] ?? 0) - 1;
    if (left > 0) next.h[b] = left;
    else delete next.h[b];
    if (next.x) {
      const i = next.x.indexOf(v);
      if (i >= 0) next.x.splice(i, 1);
    }
  }
  if (next.c <= 0) return undefined;
  if (next.x && next.x.length > EXACT_MAX) next.x = null;
  next.x?.sort((a, b) => a - b);
  return next;
}

/** Merges buckets; the result is exact when every part still is. */
export function mergeDurs(parts: Iterable<Dur | undefined>): Dur {
  const out: Dur = { c: 0, s: 0, x: [], h: {} };
  for (const d of parts) {
    if (!d) continue;
    out.c += d.c;
    out.s += d.s;
    for (const [b, n] of Object.entries(d.h)) out.h[b] = (out.h[b] ?? 0) + n;
    if (out.x && d.x) out.x.push(...d.x);
    else out.x = null;
  }
  out.x?.sort((a, b) => a - b);
  return out;
}

/** Exact quantile by linear interpolation between the closest ranks (numpy's default). */
function exactQuantile(sorted: number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return Math.round(a + (b - a) * (pos - lo));
}

/** Nearest-rank quantile over the histogram, answered by the bin's middle. */
function histogramQuantile(h: Record<string, number>, count: number, p: number): number {
  const rank = Math.max(1, Math.ceil(p * count));
  const bins = Object.keys(h).sort((a, b) => (a === 'z' ? -1 : b === 'z' ? 1 : Number(a) - Number(b)));
  let seen = 0;
  for (const b of bins) {
    seen += h[b] as number;
    if (seen >= rank) return binValue(b);
  }
  return binValue(bins[bins.length - 1] as string);
}

export interface DurSummary {
  count: number;
  mean_ms: number | null;
  median_ms: number | null;
  p90_ms: number | null;
}

export function summarize(d: Dur): DurSummary {
  if (d.c <= 0) return { count: 0, mean_ms: null, median_ms: null, p90_ms: null };
  const q = (p: number) =>
    d.x && d.x.length === d.c ? exactQuantile(d.x, p) : histogramQuantile(d.h, d.c, p);
  return { count: d.c, mean_ms: Math.round(d.s / d.c), median_ms: q(0.5), p90_ms: q(0.9) };
}
