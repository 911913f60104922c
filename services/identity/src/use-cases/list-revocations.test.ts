import { RevocationSnapshotSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import { RefreshTokenReusedError } from '../domain/identity.errors.ts';
import { listRevocations } from './list-revocations.ts';
import { logIn } from './log-in.ts';
import { logOut } from './log-out.ts';
import { refreshSession } from './refresh-session.ts';
import { updateUser } from './update-user.ts';

const later = (f: ReturnType<typeof fakeDeps>, seconds: number) => {
  f.clock.now = new Date(f.clock.now.getTime() + seconds * 1000);
};

describe('listRevocations', () => {
  it('when sessions are logged out, reused and users cut off, then each is listed until its tokens expire', async () => {
    const f = fakeDeps();
    const admin = await seedUser(f, { role: 'admin' });
    const alice = await seedUser(f, { username: 'alice' });
    const bob = await seedUser(f, { username: 'bob', role: 'agent' });
    const login = await logIn(f.deps, { login: 'alice', password: 'a good password', ip: '1.1.1.1' });
    const stolen = await logIn(f.deps, { login: 'alice', password: 'a good password', ip: '1.1.1.1' });
    const me = principalOf(alice, { sid: login.sessionId });
    await logOut(f.deps, me);
    await refreshSession(f.deps, stolen.refresh);
    await expect(refreshSession(f.deps, stolen.refresh)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    await updateUser(f.deps, principalOf(admin), bob.id, { active: false });
    const ttl = f.deps.settings.accessTtl;
    const expiresAt = new Date(f.clock.now.getTime() + ttl * 1000).toISOString();

    const snapshot = RevocationSnapshotSchema.parse(await listRevocations(f.deps));

    expect(snapshot.generatedAt).toBe(f.clock.now.toISOString());
    expect(snapshot.entries).toEqual(
      expect.arrayContaining([
        { kind: 'session', sid: login.sessionId, expiresAt },
        { kind: 'token', jti: me.jti, expiresAt },
        { kind: 'session', sid: stolen.sessionId, expiresAt },
        { kind: 'subject', sub: bob.id, notBefore: f.clock.now.toISOString(), expiresAt },
      ]),
    );
    expect(snapshot.entries).toHaveLength(4);

    later(f, ttl - 1);
    expect((await listRevocations(f.deps)).entries).toHaveLength(4);
    later(f, 1);
    expect((await listRevocations(f.deps)).entries).toEqual([]);
  });

  it('when a user logs out again later, then the entries no longer in force are pruned from the record', async () => {
    const f = fakeDeps();
    const carol = await seedUser(f, { username: 'carol' });
    const first = await logIn(f.deps, { login: 'carol', password: 'a good password', ip: '1.1.1.1' });
    await logOut(f.deps, principalOf(carol, { sid: first.sessionId }));
    later(f, f.deps.settings.accessTtl + 1);
    const second = await logIn(f.deps, { login: 'carol', password: 'a good password', ip: '1.1.1.1' });
    await logOut(f.deps, principalOf(carol, { sid: second.sessionId }));

    expect(f.users.records.get(carol.id)?.revocations.map((r) => r.sessionId)).toEqual([second.sessionId]);
  });
});
