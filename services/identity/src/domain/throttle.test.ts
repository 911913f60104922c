import { describe, expect, it } from 'vitest';
import { accountKey, countAttempt, retryAfterSeconds } from './throttle.ts';

const WINDOW = 900;
// One second before a quarter-hour boundary, where clock-aligned windows used to reset.
const t0 = Date.UTC(2030, 0, 1, 10, 14, 59);

describe('login throttle counters', () => {
  it('when a key fails for the first time, then its window opens then and lasts the window length', () => {
    expect(countAttempt(undefined, t0, WINDOW)).toEqual({ count: 1, startedAt: t0, expiresAt: t0 + 900_000 });
  });

  it('when attempts straddle a clock boundary, then they keep counting in the same window', () => {
    let c = countAttempt(undefined, t0, WINDOW);
    c = countAttempt(c, t0 + 2_000, WINDOW);
    c = countAttempt(c, t0 + 899_999, WINDOW);
    expect(c).toEqual({ count: 3, startedAt: t0, expiresAt: t0 + 900_000 });
  });

  it('when the window has ended, then the next attempt opens a new one', () => {
    const c = countAttempt({ count: 11, startedAt: t0, expiresAt: t0 + 900_000 }, t0 + 900_000, WINDOW);
    expect(c).toEqual({ count: 1, startedAt: t0 + 900_000, expiresAt: t0 + 1_800_000 });
  });

  it('when throttled, then Retry-After counts whole seconds to the window end, at least one', () => {
    expect(retryAfterSeconds(t0 + 1, t0 + 900_000)).toBe(900);
    expect(retryAfterSeconds(t0 + 899_999, t0 + 900_000)).toBe(1);
    expect(retryAfterSeconds(t0 + 900_000, t0 + 900_000)).toBe(1);
  });

  it('when an account is known, then username and email logins share one key', () => {
    expect(accountKey('u1', 'Bob')).toBe(accountKey('u1', 'bob@example.com'));
    expect(accountKey(undefined, ' Bob ')).toBe(accountKey(undefined, 'bob'));
  });
});
