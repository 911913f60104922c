import { IdentityEvents, SessionRevokedEventSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import { RefreshTokenInvalidError } from '../domain/identity.errors.ts';
import { logIn } from './log-in.ts';
import { logOut } from './log-out.ts';
import { refreshSession } from './refresh-session.ts';

describe('logOut', () => {
  it('when a user logs out, then the token, its session and its refresh token are revoked and announced', async () => {
    const f = fakeDeps();
    const user = await seedUser(f, { username: 'frank' });
    const other = await logIn(f.deps, { login: 'frank', password: 'a good password', ip: '1.1.1.1' });
    const login = await logIn(f.deps, { login: 'frank', password: 'a good password', ip: '1.1.1.1' });
    const me = principalOf(user, { sid: login.sessionId });

    await logOut(f.deps, me, 'req-2');

    expect(f.revocations.isRevoked(me)).toBe(true);
    expect(f.revocations.isRevoked({ ...me, jti: 'another token of the session' })).toBe(true);
    expect(f.revocations.isRevoked(principalOf(user, { sid: other.sessionId }))).toBe(false);
    await expect(refreshSession(f.deps, login.refresh)).rejects.toBeInstanceOf(RefreshTokenInvalidError);
    await expect(refreshSession(f.deps, other.refresh)).resolves.toBeDefined();
    const [event] = f.users.events(IdentityEvents.SessionRevoked);
    const parsed = SessionRevokedEventSchema.parse(event);
    expect(parsed).toMatchObject({
      sequence: 2,
      actor: { type: 'user', id: user.id },
      data: { sessionId: login.sessionId, jti: me.jti, notBefore: null, reason: 'logout' },
    });
    expect(Date.parse(parsed.data.expiresAt)).toBeGreaterThanOrEqual(me.exp * 1000);
    expect(f.kicks()).toBe(2);
    // Stored with the user, for processes that start after the event went out.
    expect(f.users.records.get(user.id)?.revocations).toEqual([
      {
        sessionId: login.sessionId,
        jti: me.jti,
        revokedAt: f.clock.now,
        expiresAt: new Date(parsed.data.expiresAt),
      },
    ]);
  });

  it('when the write keeps failing, then the token is still refused in this process', async () => {
    const f = fakeDeps();
    const user = await seedUser(f);
    const me = principalOf(user, { sid: 'sid-1' });
    f.users.conflicts = 100;
    await expect(logOut(f.deps, me)).rejects.toMatchObject({ code: 'USER_CONFLICT' });
    expect(f.revocations.isRevoked(me)).toBe(true);
  });
});
