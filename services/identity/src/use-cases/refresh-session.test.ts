import { IdentityEvents, SessionRevokedEventSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import {
  RefreshTokenInvalidError,
  RefreshTokenReusedError,
  UserInactiveError,
} from '../domain/identity.errors.ts';
import { logIn } from './log-in.ts';
import { refreshSession } from './refresh-session.ts';

async function loggedIn() {
  const f = fakeDeps();
  const user = await seedUser(f, { username: 'erin' });
  const login = await logIn(f.deps, { login: 'erin', password: 'a good password', ip: '1.1.1.1' });
  return { ...f, user, login };
}

describe('refreshSession', () => {
  it('when a refresh token is exchanged, then a new pair comes back for the same session', async () => {
    const f = await loggedIn();
    const next = await refreshSession(f.deps, f.login.refresh);
    expect(next.refresh).not.toBe(f.login.refresh);
    expect(next.sessionId).toBe(f.login.sessionId);
    expect(f.tokens.issued.at(-1)).toMatchObject({ sub: f.user.id, sid: f.login.sessionId });
    await expect(refreshSession(f.deps, next.refresh)).resolves.toBeDefined();
  });

  it('when a used refresh token comes back, then the whole session is revoked and announced', async () => {
    const f = await loggedIn();
    const next = await refreshSession(f.deps, f.login.refresh);
    await expect(refreshSession(f.deps, f.login.refresh, 'req-9')).rejects.toBeInstanceOf(
      RefreshTokenReusedError,
    );

    // The thief's copy and the owner's latest token are both dead now.
    await expect(refreshSession(f.deps, next.refresh)).rejects.toBeInstanceOf(RefreshTokenInvalidError);
    expect(f.users.records.get(f.user.id)?.sessions).toEqual([]);
    const [event] = f.users.events(IdentityEvents.SessionRevoked);
    expect(SessionRevokedEventSchema.parse(event)).toMatchObject({
      aggregateId: f.user.id,
      sequence: 2,
      correlationId: 'req-9',
      data: {
        userId: f.user.id,
        sessionId: f.login.sessionId,
        jti: null,
        notBefore: null,
        reason: 'refresh_reuse',
      },
    });
    expect(f.users.records.get(f.user.id)?.version).toBe(2);
    expect(f.users.records.get(f.user.id)?.revocations).toEqual([
      {
        sessionId: f.login.sessionId,
        jti: null,
        revokedAt: f.clock.now,
        expiresAt: new Date(f.clock.now.getTime() + f.deps.settings.accessTtl * 1000),
      },
    ]);
    expect(f.revocations.isRevoked(principalOf(f.user, { sid: f.login.sessionId }))).toBe(true);
    expect(f.revocations.isRevoked(principalOf(f.user, { sid: 'another-session' }))).toBe(false);
  });

  it('when the token is garbage or unknown, then it is invalid and nothing is revoked', async () => {
    const f = await loggedIn();
    await expect(refreshSession(f.deps, 'garbage')).rejects.toBeInstanceOf(RefreshTokenInvalidError);
    await expect(refreshSession(f.deps, `${'A'.repeat(24)}.${'b'.repeat(43)}`)).rejects.toBeInstanceOf(
      RefreshTokenInvalidError,
    );
    expect(f.users.outbox.filter((e) => e.type === IdentityEvents.SessionRevoked)).toHaveLength(0);
  });

  it('when the session has expired, then the token is invalid', async () => {
    const f = await loggedIn();
    f.clock.now = new Date(f.clock.now.getTime() + (f.deps.settings.refreshTtl + 1) * 1000);
    await expect(refreshSession(f.deps, f.login.refresh)).rejects.toBeInstanceOf(RefreshTokenInvalidError);
  });

  it('when the user was deactivated, then refresh is refused', async () => {
    const f = await loggedIn();
    const record = f.users.records.get(f.user.id);
    if (record) record.active = false;
    await expect(refreshSession(f.deps, f.login.refresh)).rejects.toBeInstanceOf(UserInactiveError);
  });
});
