import { describe, expect, it } from 'vitest';
import { applyDur, type Dur, mergeDurs, summarize } from './durations.ts';

const of = (values: number[]) => applyDur(undefined, values, []) as Dur;

/** A deterministic shuffle (mulberry32). */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('durations', () => {
  it('when values sit in bins of their own, then median and p90 are exact (interpolated between ranks)', () => {
    expect(summarize(of([10, 20, 30, 40]))).toEqual({ count: 4, mean_ms: 25, median_ms: 25, p90_ms: 37 });
    expect(summarize(of([5_473_115]))).toEqual({
      count: 1,
      mean_ms: 5_473_115,
      median_ms: 5_473_115,
      p90_ms: 5_473_115,
    });
  });

  it('when values are removed, then they leave the sums and their bins; an empty bucket is gone', () => {
    const d = applyDur(of([5, 7, 7]), [], [7]);
    expect(d).toEqual(of([5, 7]));
    expect(applyDur(d, [], [5, 7])).toBeUndefined();
  });

  it('when a bucket is large, then the quantiles are within 1% and the mean is exact', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1_018);
    const s = summarize(of(values));
    expect(s.count).toBe(1000);
    expect(s.mean_ms).toBe(500.5 * 1_018);
    const exactMedian = 500.5 * 1_018;
    const exactP90 = (900 + 0.1) * 1_018;
    expect(Math.abs((s.median_ms ?? 0) - exactMedian) / exactMedian).toBeLessThan(0.01);
    expect(Math.abs((s.p90_ms ?? 0) - exactP90) / exactP90).toBeLessThan(0.01);
  });

  it('when a bucket passes 64 values in order or shuffled, then the stored state and the figures are identical', () => {
    // The review's case: 64 resolution times on a day, ticket T resolved that day, then reopened
    // and resolved the next day (its value leaves the bucket).
    const base = Array.from({ length: 64 }, (_, i) => 3_600_000 + ((i * 7_919_113) % 5_000_000));
    const t = 4_321_987;
    const inOrder = applyDur(applyDur(of(base), [t], []), [], [t]) as Dur;
    const rebuilt = of(base);
    expect(inOrder).toEqual(rebuilt);
    expect(summarize(inOrder)).toEqual(summarize(rebuilt));
    // Any order of the same adds and removes ends in the same document.
    const ops = [...base.map((v) => ({ v, add: true })), { v: t, add: true }];
    for (const seed of [1, 2, 3]) {
      let d: Dur | undefined;
      for (const op of shuffle(ops, seed)) d = applyDur(d, [op.v], []);
      d = applyDur(d, [], [t]);
      expect(d).toEqual(rebuilt);
    }
  });

  it('when buckets merge, then the figures equal those of one bucket holding every value', () => {
    const merged = mergeDurs([of([1, 2, 3]), undefined, of([4, 60_000])]);
    expect(merged).toEqual(of([1, 2, 3, 4, 60_000]));
    expect(summarize(merged)).toEqual({ count: 5, mean_ms: 12_002, median_ms: 3, p90_ms: 36_002 });
  });

  it('when a duration is zero, then it counts in its own bin', () => {
    expect(summarize(of([0, 0, 0]))).toEqual({ count: 3, mean_ms: 0, median_ms: 0, p90_ms: 0 });
  });
});
