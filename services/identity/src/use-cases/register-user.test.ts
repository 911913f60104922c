import { IdentityEvents, RegisterRequestSchema, UserRegisteredEventSchema } from '@helpdesk/contracts';
import { ValidationError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { fakeDeps, seedUser } from '../../test/fakes.ts';
import { EmailTakenError, OrgExistsError, UsernameTakenError } from '../domain/identity.errors.ts';
import { registerUser } from './register-user.ts';

const body = (over: Record<string, unknown> = {}) =>
  RegisterRequestSchema.parse({
    username: 'carol',
    email: 'carol@example.com',
    password: 'a good password',
    ...over,
  });

describe('registerUser', () => {
  it('when no org is named, then the user joins the default org as a customer and user.registered is stored', async () => {
    const f = fakeDeps();
    const user = await registerUser(f.deps, body(), 'req-1');
    expect(user).toMatchObject({ orgId: 'default', role: 'user', active: true, version: 1 });
    const [event] = f.users.events(IdentityEvents.UserRegistered);
    expect(UserRegisteredEventSchema.parse(event)).toMatchObject({
      orgId: 'default',
      aggregateId: user.id,
      sequence: 1,
      actor: { type: 'user', id: user.id, role: 'user' },
      correlationId: 'req-1',
      data: { user: { id: user.id, username: 'carol', role: 'user', active: true } },
    });
    expect(f.users.records.get(user.id)?.passwordHash).toBe('hashed:a good password');
    expect(f.kicks()).toBe(1);
  });

  it('when a new org is named, then it is created and the registrant is its admin', async () => {
    const f = fakeDeps();
    const user = await registerUser(f.deps, body({ org: 'Acme Corp' }));
    expect(user).toMatchObject({ orgId: 'acme-corp', role: 'admin' });
    expect(f.orgs.orgs.get('acme-corp')?.name).toBe('Acme Corp');
  });

  it('when the org exists, then registration is refused and nobody joins it', async () => {
    const f = fakeDeps();
    await registerUser(f.deps, body({ org: 'Acme Corp' }));
    await expect(
      registerUser(f.deps, body({ username: 'mallory', email: 'm@example.com', org: 'ACME corp' })),
    ).rejects.toBeInstanceOf(OrgExistsError);
    await expect(
      registerUser(f.deps, body({ username: 'mallory', email: 'm@example.com', org: 'Default' })),
    ).rejects.toBeInstanceOf(OrgExistsError);
    expect([...f.users.records.values()].map((u) => u.username)).toEqual(['carol']);
  });

  it('when the username is taken, then no org is left behind', async () => {
    const f = fakeDeps();
    await seedUser(f, { username: 'carol' });
    await expect(
      registerUser(f.deps, body({ email: 'other@example.com', org: 'Beta' })),
    ).rejects.toBeInstanceOf(UsernameTakenError);
    expect(f.orgs.orgs.has('beta')).toBe(false);
  });

  it('when the user store refuses after the org was made, then the org is removed again', async () => {
    const f = fakeDeps();
    f.users.create = async () => {
      throw new EmailTakenError();
    };
    await expect(registerUser(f.deps, body({ org: 'Gamma' }))).rejects.toBeInstanceOf(EmailTakenError);
    expect(f.orgs.orgs.has('gamma')).toBe(false);
  });

  it("when the username or email equals another account's login in any case, then it is refused", async () => {
    const f = fakeDeps();
    await seedUser(f, { username: 'dave', email: 'dave@example.com' });
    await expect(registerUser(f.deps, body({ username: 'DAVE' }))).rejects.toBeInstanceOf(UsernameTakenError);
    await expect(registerUser(f.deps, body({ username: 'dave@example.com' }))).rejects.toBeInstanceOf(
      UsernameTakenError,
    );
    await expect(registerUser(f.deps, body({ email: 'Dave@Example.com' }))).rejects.toBeInstanceOf(
      EmailTakenError,
    );
    expect(f.users.outbox).toHaveLength(1);
  });

  it('when the org name has no letter or digit for an id, then it is refused', async () => {
    const f = fakeDeps();
    await expect(registerUser(f.deps, { ...body(), org: '日本' })).rejects.toBeInstanceOf(ValidationError);
  });
});
