import { describe, expect, it } from 'vitest';
import { accountKey, retryAfterSeconds, windowAt } from './throttle.ts';

describe('login throttle windows', () => {
  it('when two moments fall in one window, then they share its start and end', () => {
    const a = windowAt(Date.UTC(2030, 0, 1, 10, 1), 900);
    const b = windowAt(Date.UTC(2030, 0, 1, 10, 14, 59), 900);
    expect(a).toEqual(b);
    expect(a.end - a.start).toBe(900_000);
    expect(windowAt(Date.UTC(2030, 0, 1, 10, 15), 900).start).toBe(a.end);
  });

  it('when throttled, then Retry-After counts whole seconds to the window end, at least one', () => {
    const w = windowAt(Date.UTC(2030, 0, 1, 10, 0), 900);
    expect(retryAfterSeconds(w.start + 1, w)).toBe(900);
    expect(retryAfterSeconds(w.end - 1, w)).toBe(1);
    expect(retryAfterSeconds(w.end, w)).toBe(1);
  });

  it('when an account is known, then username and email logins share one key', () => {
    expect(accountKey('u1', 'Bob')).toBe(accountKey('u1', 'bob@example.com'));
    expect(accountKey(undefined, ' Bob ')).toBe(accountKey(undefined, 'bob'));
  });
});
