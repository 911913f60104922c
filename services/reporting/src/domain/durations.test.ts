import { describe, expect, it } from 'vitest';
import { applyDur, EXACT_MAX, mergeDurs, summarize } from './durations.ts';

describe('durations', () => {
  it('when a bucket is small, then median and p90 are exact (interpolated between ranks)', () => {
    const d = applyDur(undefined, [10, 20, 30, 40], []);
    expect(summarize(d ?? mergeDurs([]))).toEqual({ count: 4, mean_ms: 25, median_ms: 25, p90_ms: 37 });
  });

  it('when values are removed, then they leave the sums and the exact list; an empty bucket is gone', () => {
    const d = applyDur(applyDur(undefined, [5, 7, 7], []), [], [7]);
    expect(d).toEqual({ c: 2, s: 12, x: [5, 7], h: expect.any(Object) });
    expect(applyDur(d, [], [5, 7])).toBeUndefined();
  });

  it('when a bucket outgrows the exact limit, then the histogram answers within 1%', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1_000);
    const d = applyDur(undefined, values, []);
    expect(d?.x).toBeNull();
    const s = summarize(d ?? mergeDurs([]));
    expect(s.count).toBe(1000);
    expect(s.mean_ms).toBe(500_500);
    expect(Math.abs((s.median_ms ?? 0) - 500_000) / 500_000).toBeLessThan(0.01);
    expect(Math.abs((s.p90_ms ?? 0) - 900_000) / 900_000).toBeLessThan(0.01);
  });

  it('when buckets merge, then the result stays exact only if every part is', () => {
    const small = applyDur(undefined, [1, 2, 3], []);
    const exact = mergeDurs([small, applyDur(undefined, [4], [])]);
    expect(exact.x).toEqual([1, 2, 3, 4]);
    const big = applyDur(
      undefined,
      Array.from({ length: EXACT_MAX + 1 }, () => 60_000),
      [],
    );
    const mixed = mergeDurs([small, big]);
    expect(mixed.x).toBeNull();
    expect(mixed.c).toBe(EXACT_MAX + 4);
    expect(summarize(mixed).median_ms).toBeCloseTo(60_000, -3);
  });

  it('when a duration is zero, then it counts in its own bin', () => {
    const d = applyDur(
      undefined,
      Array.from({ length: EXACT_MAX + 1 }, () => 0),
      [],
    );
    expect(summarize(d ?? mergeDurs([]))).toEqual({
      count: EXACT_MAX + 1,
      mean_ms: 0,
      median_ms: 0,
      p90_ms: 0,
    });
  });
});
