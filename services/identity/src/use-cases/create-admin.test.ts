import { IdentityEvents } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { fakeDeps, seedUser } from '../../test/fakes.ts';
import { BootstrapAdminConflictError, UsernameTakenError } from '../domain/identity.errors.ts';
import { createAdmin } from './create-admin.ts';

const input = { username: 'root', email: 'root@example.com', password: 'a long password' };

describe('createAdmin', () => {
  it('when run on every start-up, then exactly one admin and one event exist', async () => {
    const f = fakeDeps();
    const first = await createAdmin(f.deps, input, { ifMissing: true });
    const second = await createAdmin(f.deps, input, { ifMissing: true });
    expect(first).toMatchObject({ created: true, user: { role: 'admin', orgId: 'default' } });
    expect(second).toEqual({ created: false, user: first.user });
    expect(f.users.records.size).toBe(1);
    expect(f.users.events(IdentityEvents.UserRegistered)).toHaveLength(1);
    expect(f.users.outbox[0]?.actor).toEqual({ type: 'system', id: 'create-admin' });
  });

  it.each([
    ['a customer registered it first', { role: 'user' as const }, undefined],
    ['an agent holds it', { role: 'agent' as const }, undefined],
    ['it is an admin of another org', { role: 'admin' as const, orgId: 'other' }, undefined],
    ['it is a deactivated admin', { role: 'admin' as const }, 'deactivate'],
  ])(
    'when the bootstrap username is taken because %s, then start-up fails and nothing is created',
    async (_case, over, change) => {
      const f = fakeDeps();
      const owner = await seedUser(f, { username: 'root', email: 'first@example.com', ...over });
      const record = f.users.records.get(owner.id);
      if (change === 'deactivate' && record) record.active = false;
      const before = f.users.outbox.length;

      const err = await createAdmin(f.deps, input, { ifMissing: true }).catch((e) => e);

      expect(err).toBeInstanceOf(BootstrapAdminConflictError);
      expect(err).toMatchObject({ code: 'BOOTSTRAP_ADMIN_CONFLICT' });
      expect(err.message).toContain('"root"');
      expect(err.message).toContain('org "default"');
      expect(f.users.records.size).toBe(1);
      expect(f.users.records.get(owner.id)).toMatchObject({ role: over.role, email: 'first@example.com' });
      expect(f.users.outbox).toHaveLength(before);
    },
  );

  it('when the bootstrap username is an active admin of the target org, then start-up accepts it as is', async () => {
    const f = fakeDeps();
    const owner = await seedUser(f, { username: 'root', email: 'first@example.com', role: 'admin' });
    await expect(createAdmin(f.deps, input, { ifMissing: true })).resolves.toEqual({
      created: false,
      user: expect.objectContaining({ id: owner.id, role: 'admin', orgId: 'default' }),
    });
  });

  it('when a customer takes the username during a bootstrap race, then start-up fails too', async () => {
    const f = fakeDeps();
    const realFind = f.users.findRecord.bind(f.users);
    let calls = 0;
    // The first lookup misses; the customer's account lands before our insert.
    f.users.findRecord = async (by) => (calls++ === 0 ? null : realFind(by));
    await seedUser(f, { username: 'root', email: 'first@example.com' });
    calls = 0;
    await expect(createAdmin(f.deps, input, { ifMissing: true })).rejects.toBeInstanceOf(
      BootstrapAdminConflictError,
    );
  });

  it('when the command names a taken username, then it fails', async () => {
    const f = fakeDeps();
    await createAdmin(f.deps, input, { ifMissing: false });
    await expect(createAdmin(f.deps, input, { ifMissing: false })).rejects.toBeInstanceOf(UsernameTakenError);
  });

  it('when another replica creates the admin first, then start-up still succeeds', async () => {
    const f = fakeDeps();
    const realFind = f.users.findRecord.bind(f.users);
    let calls = 0;
    // The first lookup misses, as if the other replica's insert landed just after it.
    f.users.findRecord = async (by) => (calls++ === 0 ? null : realFind(by));
    await createAdmin(f.deps, input, { ifMissing: false });
    calls = 0;
    await expect(createAdmin(f.deps, input, { ifMissing: true })).resolves.toMatchObject({ created: false });
  });

  it('when the org does not exist, then it is created', async () => {
    const f = fakeDeps();
    const { user } = await createAdmin(f.deps, { ...input, org: 'Acme Corp' }, { ifMissing: false });
    expect(user.orgId).toBe('acme-corp');
    expect(f.orgs.orgs.get('acme-corp')?.name).toBe('Acme Corp');
  });

  it('when the password is weak, then nothing is created', async () => {
    const f = fakeDeps();
    await expect(
      createAdmin(f.deps, { ...input, password: '1234567890' }, { ifMissing: true }),
    ).rejects.toBeInstanceOf(ZodError);
    expect(f.users.records.size).toBe(0);
  });
});
