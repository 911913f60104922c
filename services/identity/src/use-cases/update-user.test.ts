import { IdentityEvents, SessionRevokedEventSchema, UserUpdatedEventSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import { RefreshTokenInvalidError, SelfChangeError, UserNotFoundError } from '../domain/identity.errors.ts';
import { logIn } from './log-in.ts';
import { refreshSession } from './refresh-session.ts';
import { updateUser } from './update-user.ts';

async function setup() {
  const f = fakeDeps();
  const admin = await seedUser(f, { username: 'admin', role: 'admin' });
  const agent = await seedUser(f, { username: 'gina', role: 'agent' });
  const login = await logIn(f.deps, { login: 'gina', password: 'a good password', ip: '1.1.1.1' });
  return { ...f, admin, agent, login, as: principalOf(admin) };
}

describe('updateUser', () => {
  it('when an admin deactivates a user, then every token so far and every session are cut off and announced', async () => {
    const f = await setup();
    const before = principalOf(f.agent, {
      sid: f.login.sessionId,
      iat: Math.floor(f.clock.now.getTime() / 1000),
    });

    const user = await updateUser(f.deps, f.as, f.agent.id, { active: false }, 'req-3');

    expect(user).toMatchObject({ active: false, version: 3 });
    expect(f.revocations.isRevoked(before)).toBe(true);
    expect(f.revocations.isRevoked({ ...before, iat: before.iat + 2 })).toBe(false);
    expect(f.users.records.get(f.agent.id)?.sessions).toEqual([]);
    await expect(refreshSession(f.deps, f.login.refresh)).rejects.toBeInstanceOf(RefreshTokenInvalidError);

    const updated = UserUpdatedEventSchema.parse(f.users.events(IdentityEvents.UserUpdated)[0]);
    expect(updated).toMatchObject({ sequence: 2, data: { changed: ['active'], user: { active: false } } });
    const revoked = SessionRevokedEventSchema.parse(f.users.events(IdentityEvents.SessionRevoked)[0]);
    expect(revoked).toMatchObject({
      sequence: 3,
      correlationId: 'req-3',
      actor: { type: 'user', id: f.admin.id, role: 'admin' },
      data: {
        userId: f.agent.id,
        sessionId: null,
        jti: null,
        notBefore: f.clock.now.toISOString(),
        reason: 'deactivated',
      },
    });
  });

  it('when tokens were cut off, then new logins are dated after the cut-off', async () => {
    const f = await setup();
    await updateUser(f.deps, f.as, f.agent.id, { role: 'admin' });
    expect(f.users.records.get(f.agent.id)?.tokensValidFrom).toEqual(f.clock.now);
    await logIn(f.deps, { login: 'gina', password: 'a good password', ip: '1.1.1.1' });
    expect(f.tokens.issued.at(-1)).toMatchObject({ role: 'admin', validFrom: f.clock.now });
  });

  it('when an admin changes a role, then old tokens stop with reason role_changed', async () => {
    const f = await setup();
    const user = await updateUser(f.deps, f.as, f.agent.id, { role: 'user' });
    expect(user.role).toBe('user');
    const revoked = SessionRevokedEventSchema.parse(f.users.events(IdentityEvents.SessionRevoked)[0]);
    expect(revoked.data.reason).toBe('role_changed');
    expect(f.revocations.isRevoked(principalOf(f.agent))).toBe(true);
  });

  it('when a user is reactivated, then only user.updated is published', async () => {
    const f = await setup();
    await updateUser(f.deps, f.as, f.agent.id, { active: false });
    await updateUser(f.deps, f.as, f.agent.id, { active: true });
    expect(f.users.events(IdentityEvents.UserUpdated).map((e) => e.sequence)).toEqual([2, 4]);
    expect(f.users.events(IdentityEvents.SessionRevoked)).toHaveLength(1);
  });

  it('when nothing changes, then nothing is written or published', async () => {
    const f = await setup();
    const before = f.users.outbox.length;
    await updateUser(f.deps, f.as, f.agent.id, { role: 'agent', active: true });
    expect(f.users.outbox).toHaveLength(before);
  });

  it('when the user belongs to another org, then it is not found', async () => {
    const f = await setup();
    const stranger = await seedUser(f, { username: 'stranger', orgId: 'other' });
    await expect(updateUser(f.deps, f.as, stranger.id, { active: false })).rejects.toBeInstanceOf(
      UserNotFoundError,
    );
    expect(f.users.records.get(stranger.id)?.active).toBe(true);
  });

  it('when an admin targets themself, then the change is refused', async () => {
    const f = await setup();
    await expect(updateUser(f.deps, f.as, f.admin.id, { role: 'user' })).rejects.toBeInstanceOf(
      SelfChangeError,
    );
    await expect(updateUser(f.deps, f.as, f.admin.id, { active: false })).rejects.toBeInstanceOf(
      SelfChangeError,
    );
  });

  it('when the record changes concurrently, then the change is retried with a fresh sequence', async () => {
    const f = await setup();
    f.users.conflicts = 1;
    await updateUser(f.deps, f.as, f.agent.id, { role: 'admin' });
    expect(f.users.outbox.filter((e) => e.aggregateId === f.agent.id).map((e) => e.sequence)).toEqual([
      1, 2, 3,
    ]);
  });
});
