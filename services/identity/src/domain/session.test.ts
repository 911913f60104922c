import { describe, expect, it } from 'vitest';
import {
  hashSecret,
  MAX_SESSIONS_PER_USER,
  MAX_USED_PER_SESSION,
  parseRefreshToken,
  rotateSession,
  startSession,
  withoutSession,
} from './session.ts';

const now = new Date('2030-01-01T00:00:00Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);
const tokenOf = (refresh: string) => {
  const t = parseRefreshToken(refresh);
  if (!t) throw new Error(`unparsable ${refresh}`);
  return t;
};

describe('refresh sessions', () => {
  it('when a session starts, then only the hash of its secret is kept', () => {
    const { session, refresh, sessions } = startSession([], now, 60);
    const { sessionId, secret } = tokenOf(refresh);
    expect(sessionId).toBe(session.id);
    expect(session.hash).toBe(hashSecret(secret));
    expect(JSON.stringify(sessions)).not.toContain(secret);
    expect(session.expiresAt).toEqual(later(60));
  });

  it('when a token is rotated, then the new one works and the old one counts as reuse', () => {
    const first = startSession([], now, 60);
    const rotated = rotateSession(first.sessions, tokenOf(first.refresh), later(10), 60);
    expect(rotated.kind).toBe('rotated');
    if (rotated.kind !== 'rotated') return;
    expect(rotated.session.expiresAt).toEqual(later(70));
    expect(rotateSession(rotated.sessions, tokenOf(rotated.refresh), later(20), 60).kind).toBe('rotated');
    expect(rotateSession(rotated.sessions, tokenOf(first.refresh), later(20), 60).kind).toBe('reused');
  });

  it('when a made-up secret is presented for a real session, then it is invalid, not reuse', () => {
    const { sessions, session } = startSession([], now, 60);
    const forged = { sessionId: session.id, secret: 'x'.repeat(43) };
    expect(rotateSession(sessions, forged, now, 60).kind).toBe('invalid');
  });

  it('when the session has expired or is unknown, then the token is invalid', () => {
    const { sessions, refresh } = startSession([], now, 60);
    expect(rotateSession(sessions, tokenOf(refresh), later(61), 60).kind).toBe('invalid');
    expect(rotateSession([], tokenOf(refresh), now, 60).kind).toBe('invalid');
  });

  it('when rotated many times, then only the latest used secrets are remembered', () => {
    let { sessions, refresh } = startSession([], now, 60);
    const all = [refresh];
    for (let i = 0; i < MAX_USED_PER_SESSION + 2; i++) {
      const r = rotateSession(sessions, tokenOf(refresh), now, 60);
      if (r.kind !== 'rotated') throw new Error(r.kind);
      ({ sessions, refresh } = r);
      all.push(refresh);
    }
    expect(sessions[0]?.used).toHaveLength(MAX_USED_PER_SESSION);
    expect(rotateSession(sessions, tokenOf(all.at(-2) ?? ''), now, 60).kind).toBe('reused');
    expect(rotateSession(sessions, tokenOf(all[0] ?? ''), now, 60).kind).toBe('invalid');
  });

  it('when a user logs in beyond the cap, then the oldest sessions and expired ones are dropped', () => {
    let sessions = startSession([], now, 10).sessions;
    const expiredId = sessions[0]?.id;
    for (let i = 1; i <= MAX_SESSIONS_PER_USER + 3; i++)
      sessions = startSession(sessions, later(20 + i), 3600).sessions;
    expect(sessions).toHaveLength(MAX_SESSIONS_PER_USER);
    expect(sessions.some((s) => s.id === expiredId)).toBe(false);
  });

  it('when a session is removed, then the others stay', () => {
    const a = startSession([], now, 60);
    const b = startSession(a.sessions, now, 60);
    expect(withoutSession(b.sessions, a.session.id, now).map((s) => s.id)).toEqual([b.session.id]);
  });

  it('when a refresh token is malformed, then it does not parse', () => {
    for (const bad of [
      '',
      'abc',
      'a.b',
      `${'a'.repeat(22)}.${'b'.repeat(10)}`,
      `${'a'.repeat(22)}.${'b'.repeat(43)}.c`,
    ]) {
      expect(parseRefreshToken(bad)).toBeUndefined();
    }
  });
});
