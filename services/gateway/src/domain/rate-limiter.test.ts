import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from './rate-limiter.ts';

function limiter(limit: number, windowMs = 60_000, start = 960_000_020_000) {
  const clock = { now: start };
  const l = new FixedWindowLimiter({ limit, windowMs, name: 'ip', now: () => clock.now });
  return { l, clock };
}

describe('FixedWindowLimiter', () => {
  it('allows up to the limit in a window, then refuses, counting each key apart', () => {
    const { l } = limiter(2);
    expect(l.hit('a')).toMatchObject({ allowed: true, remaining: 1, limit: 2 });
    expect(l.hit('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(l.hit('a')).toMatchObject({ allowed: false, remaining: 0 });
    expect(l.hit('b')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('reports the seconds left in the window, rounded up', () => {
    const { l, clock } = limiter(5, 60_000, 960_000_020_000);
    expect(l.hit('a').resetSec).toBe(40);
    clock.now += 39_500;
    expect(l.hit('a').resetSec).toBe(1);
  });

  it('starts every key afresh when the window ends, and forgets old keys', () => {
    const { l, clock } = limiter(1);
    l.hit('a');
    l.hit('b');
    expect(l.hit('a').allowed).toBe(false);
    clock.now += 60_000;
    expect(l.hit('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(l.keys).toBe(1);
  });

  it('describes itself as a RateLimit-Policy item', () => {
    expect(limiter(100, 60_000).l.policy).toBe('100;w=60;comment="ip"');
  });
});
