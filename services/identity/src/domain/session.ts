import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A login session: the `sid` of its access tokens and the hash of its one valid refresh secret.
 * Refresh tokens read `<sessionId>.<secret>`; only sha256(secret) is stored. `used` keeps a
 * short prefix of the hashes already rotated away, so presenting one again is recognised as
 * theft (RFC 6819 5.2.2.3) rather than as a mere typo.
 */
export interface Session {
  id: string;
  hash: string;
  used: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** Oldest sessions are dropped beyond this; each login makes one. */
export const MAX_SESSIONS_PER_USER = 20;
/** How many rotated secrets per session are still recognised as reuse. */
export const MAX_USED_PER_SESSION = 10;
const USED_PREFIX = 22;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

export function parseRefreshToken(token: string): { sessionId: string; secret: string } | undefined {
  const m = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{32,128})$/.exec(token);
  return m?.[1] && m[2] ? { sessionId: m[1], secret: m[2] } : undefined;
}

const live = (sessions: Session[], now: Date) => sessions.filter((s) => s.expiresAt > now);

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Adds a session to `sessions` (dropping expired and the oldest beyond the cap). */
export function startSession(sessions: Session[], now: Date, ttlSeconds: number) {
  const secret = randomId(32);
  const session: Session = {
    id: randomId(18),
    hash: hashSecret(secret),
    used: [],
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  };
  const kept = live(sessions, now)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .slice(-(MAX_SESSIONS_PER_USER - 1));
  return { sessions: [...kept, session], session, refresh: `${session.id}.${secret}` };
}

export type RotateOutcome =
  | { kind: 'rotated'; sessions: Session[]; session: Session; refresh: string }
  | { kind: 'reused' }
  | { kind: 'invalid' };

/** Swaps the session's secret for a new one; the expiry slides forward by `ttlSeconds`. */
export function rotateSession(
  sessions: Session[],
  token: { sessionId: string; secret: string },
  now: Date,
  ttlSeconds: number,
): RotateOutcome {
  const current = sessions.find((s) => s.id === token.sessionId);
  if (!current) return { kind: 'invalid' };
  const presented = hashSecret(token.secret);
  if (!sameHash(presented, current.hash)) {
    const reused = current.used.some((u) => sameHash(u, presented.slice(0, USED_PREFIX)));
    return { kind: reused ? 'reused' : 'invalid' };
  }
  if (current.expiresAt <= now) return { kind: 'invalid' };
  const secret = randomId(32);
  const session: Session = {
    ...current,
    hash: hashSecret(secret),
    used: [...current.used, presented.slice(0, USED_PREFIX)].slice(-MAX_USED_PER_SESSION),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  };
  const others = live(sessions, now).filter((s) => s.id !== session.id);
  return { kind: 'rotated', sessions: [...others, session], session, refresh: `${session.id}.${secret}` };
}

export const withoutSession = (sessions: Session[], sessionId: string, now: Date): Session[] =>
  live(sessions, now).filter((s) => s.id !== sessionId);
