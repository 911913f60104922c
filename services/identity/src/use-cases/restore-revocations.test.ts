import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import { logIn } from './log-in.ts';
import { logOut } from './log-out.ts';
import { restoreRevocations } from './restore-revocations.ts';
import { updateUser } from './update-user.ts';

describe('restoreRevocations', () => {
  it('when a replica starts, then cut-offs younger than a token lifetime are reapplied and older ones skipped', async () => {
    const f = fakeDeps();
    const admin = await seedUser(f, { role: 'admin' });
    const recent = await seedUser(f, { role: 'agent' });
    const old = await seedUser(f, { role: 'agent' });
    await updateUser(f.deps, principalOf(admin), old.id, { active: false });
    const oldToken = principalOf(old, { iat: Math.floor(f.clock.now.getTime() / 1000) });
    f.clock.now = new Date(f.clock.now.getTime() + (f.deps.settings.accessTtl + 1) * 1000);
    await updateUser(f.deps, principalOf(admin), recent.id, { role: 'user' });
    const recentToken = principalOf(recent, { iat: Math.floor(f.clock.now.getTime() / 1000) });

    const fresh = fakeDeps(f.clock.now);
    const deps = { ...f.deps, revocations: fresh.revocations };
    expect(await restoreRevocations(deps)).toBe(1);
    expect(fresh.revocations.isRevoked(recentToken)).toBe(true);
    expect(fresh.revocations.isRevoked(oldToken)).toBe(false);
  });

  it('when a replica starts after a logout, then the logged-out session is refused and others are not', async () => {
    const f = fakeDeps();
    const user = await seedUser(f, { username: 'dana' });
    const out = await logIn(f.deps, { login: 'dana', password: 'a good password', ip: '1.1.1.1' });
    const kept = await logIn(f.deps, { login: 'dana', password: 'a good password', ip: '1.1.1.1' });
    await logOut(f.deps, principalOf(user, { sid: out.sessionId }));

    const fresh = fakeDeps(f.clock.now);
    expect(await restoreRevocations({ ...f.deps, revocations: fresh.revocations })).toBe(2);
    expect(fresh.revocations.isRevoked(principalOf(user, { sid: out.sessionId }))).toBe(true);
    expect(fresh.revocations.isRevoked(principalOf(user, { sid: kept.sessionId }))).toBe(false);
  });
});
