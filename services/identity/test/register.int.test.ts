import { UserRegisteredEventSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, collectIdentityEvents, eventOf, type Identity, signUp, startIdentity } from './harness.ts';

let id: Identity;
let events: EventCollector;

beforeAll(async () => {
  id = await startIdentity();
  events = await collectIdentityEvents();
});
afterAll(async () => {
  await events?.close();
  await id?.close();
});

describe('POST /api/auth/register/', () => {
  it('when no org is given, then the user joins the default org and user.registered is published', async () => {
    const c = client(id);
    const res = await c.post('/api/auth/register/', {
      username: 'kate',
      email: 'Kate@Example.com',
      password: 'a good password',
      password2: 'a good password',
      first_name: 'Kate',
      last_name: 'Bush',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'kate', role: 'user', org_id: 'default', is_active: true });
    expect(res.body).not.toHaveProperty('password');

    const stored = await id.store.users.findRecord({ login: 'kate@example.com' });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const event = await events.waitFor(eventOf('user.registered', res.body.id));
    expect(UserRegisteredEventSchema.parse(event.body)).toMatchObject({
      orgId: 'default',
      sequence: 1,
      data: { user: { username: 'kate', firstName: 'Kate', role: 'user' } },
    });
    expect(JSON.stringify(event.body)).not.toContain('a good password');
  });

  it('when the path has no trailing slash, then it is the same endpoint', async () => {
    const res = await client(id).post('/api/auth/register', {
      username: 'liam',
      email: 'liam@example.com',
      password: 'a good password',
    });
    expect(res.status).toBe(201);
  });

  it.each([
    [{ role: 'admin' }, 'role'],
    [{ role: 'agent' }, 'role'],
    [{ orgId: 'acme' }, 'orgId'],
    [{ org_id: 'acme' }, 'org_id'],
    [{ is_active: false }, 'is_active'],
  ])('when the body sets %j, then 400 names the field and nothing is stored', async (extra, field) => {
    const username = `mass${field.replace('_', '')}${Math.random().toString(36).slice(2, 8)}`;
    const res = await client(id).post('/api/auth/register/', {
      username,
      email: `${username}@example.com`,
      password: 'a good password',
      ...extra,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.errors)).toContain(field);
    expect(await id.store.users.findRecord({ login: username })).toBeNull();
  });

  it('when the two passwords differ, then password2 is named', async () => {
    const res = await client(id).post('/api/auth/register/', {
      username: 'mia',
      email: 'mia@example.com',
      password: 'a good password',
      password2: 'another password',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'password2' })]);
  });

  it('when a new org is named, then the registrant is its admin; the same org again is 409 ORG_EXISTS', async () => {
    const c = client(id);
    const owner = await signUp(c, { org: 'Initech Ltd' });
    expect(owner.orgId).toBe('initech-ltd');
    const profile = await c.get('/api/auth/profile/', owner.access);
    expect(profile.body).toMatchObject({ role: 'admin', org_id: 'initech-ltd' });

    const again = await c.post('/api/auth/register/', {
      username: 'intruder',
      email: 'intruder@example.com',
      password: 'a good password',
      org: 'INITECH ltd',
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORG_EXISTS');
    expect(await id.store.users.findRecord({ login: 'intruder' })).toBeNull();
  });

  it('when the username or email is taken, then 409 with the matching code', async () => {
    const c = client(id);
    const first = await signUp(c);
    const sameName = await c.post('/api/auth/register/', {
      username: first.username.toUpperCase(),
      email: 'fresh@example.com',
      password: 'a good password',
    });
    expect(sameName.body.code).toBe('USERNAME_TAKEN');
    const sameEmail = await c.post('/api/auth/register/', {
      username: 'freshname',
      email: `${first.username}@example.com`,
      password: 'a good password',
    });
    expect([sameEmail.status, sameEmail.body.code]).toEqual([409, 'EMAIL_TAKEN']);
  });
});
