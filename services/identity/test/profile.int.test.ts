import { UserUpdatedEventSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, collectIdentityEvents, eventOf, type Identity, signUp, startIdentity } from './harness.ts';

let id: Identity;
let events: EventCollector;
const c = () => client(id);

beforeAll(async () => {
  id = await startIdentity();
  events = await collectIdentityEvents();
});
afterAll(async () => {
  await events?.close();
  await id?.close();
});

describe('GET|PATCH /api/auth/profile/', () => {
  it('when a user edits names and email, then they change and user.updated lists them', async () => {
    const u = await signUp(c());
    const res = await c().patch(
      '/api/auth/profile',
      { first_name: 'Nora', email: `nora.${u.username}@example.com` },
      u.access,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ first_name: 'Nora', email: `nora.${u.username}@example.com` });
    expect((await c().get('/api/auth/profile/', u.access)).body.first_name).toBe('Nora');
    const event = await events.waitFor(eventOf('user.updated', u.id));
    expect(UserUpdatedEventSchema.parse(event.body)).toMatchObject({
      sequence: 2,
      data: { changed: ['email', 'firstName'] },
    });
  });

  it.each([
    { role: 'admin' },
    { org_id: 'other' },
    { is_active: false },
    { username: 'renamed' },
    { orgId: 'x' },
  ])('when the body sets %j, then 400 and nothing changes', async (body) => {
    const u = await signUp(c());
    const res = await c().patch('/api/auth/profile/', { first_name: 'Sneaky', ...body }, u.access);
    expect(res.status).toBe(400);
    const me = await c().get('/api/auth/profile/', u.access);
    expect(me.body).toMatchObject({
      role: 'user',
      org_id: 'default',
      is_active: true,
      username: u.username,
      first_name: 'Test',
    });
  });

  it('when there is no valid token, then 401', async () => {
    expect((await c().get('/api/auth/profile/')).status).toBe(401);
    expect((await c().get('/api/auth/profile/', 'not.a.jwt')).body.code).toBe('AUTH_TOKEN_INVALID');
  });
});
