/**
 * One key's failed-login counter. Its window opens at the key's first counted attempt (or the
 * first one after its previous window ended) and lasts the configured length, so there is no
 * clock boundary shared by every key at which all counters reset together.
 */
export interface ThrottleCounter {
  count: number;
  /** Ms since the epoch. */
  startedAt: number;
  /** Ms since the epoch; the counter no longer applies from then on. */
  expiresAt: number;
}

export const isLive = (c: ThrottleCounter | undefined, nowMs: number): c is ThrottleCounter =>
  c !== undefined && c.expiresAt > nowMs;

/** The counter after one more attempt at `nowMs`: the live window counts it, else a new one opens. */
export function countAttempt(
  current: ThrottleCounter | undefined,
  nowMs: number,
  windowSeconds: number,
): ThrottleCounter {
  if (isLive(current, nowMs)) return { ...current, count: current.count + 1 };
  return { count: 1, startedAt: nowMs, expiresAt: nowMs + windowSeconds * 1000 };
}

export const retryAfterSeconds = (nowMs: number, expiresAt: number): number =>
  Math.max(1, Math.ceil((expiresAt - nowMs) / 1000));

/** One key for every way of naming an account, so switching username ↔ email buys nothing. */
export const accountKey = (userId: string | undefined, login: string): string =>
  userId ? `user:${userId}` : `login:${login.trim().toLowerCase()}`;

export const ipKey = (ip: string): string => `ip:${ip}`;
