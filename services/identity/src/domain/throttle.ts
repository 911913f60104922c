/** A fixed login-throttle window: counters are keyed by its start and expire at its end. */
export interface ThrottleWindow {
  start: number;
  end: number;
}

export function windowAt(nowMs: number, windowSeconds: number): ThrottleWindow {
  const size = windowSeconds * 1000;
  const start = Math.floor(nowMs / size) * size;
  return { start, end: start + size };
}

export const retryAfterSeconds = (nowMs: number, w: ThrottleWindow): number =>
  Math.max(1, Math.ceil((w.end - nowMs) / 1000));

/** One key for every way of naming an account, so switching username ↔ email buys nothing. */
export const accountKey = (userId: string | undefined, login: string): string =>
  userId ? `user:${userId}` : `login:${login.trim().toLowerCase()}`;

export const ipKey = (ip: string): string => `ip:${ip}`;
