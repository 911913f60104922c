import { SessionRevokedEventSchema, UserPageSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  collectIdentityEvents,
  eventOf,
  hire,
  type Identity,
  signUp,
  startIdentity,
} from './harness.ts';

let id: Identity;
let events: EventCollector;
const c = () => client(id);

/** Two orgs, each with an admin, an agent and a customer. */
let acme: Awaited<ReturnType<typeof makeOrg>>;
let globex: Awaited<ReturnType<typeof makeOrg>>;

async function makeOrg(name: string) {
  const admin = await signUp(c(), { org: name });
  const agent = await hire(c(), admin.access, 'agent');
  const customer = await hire(c(), admin.access, 'user');
  return { admin, agent, customer };
}

beforeAll(async () => {
  id = await startIdentity();
  events = await collectIdentityEvents();
  acme = await makeOrg(`Acme ${Date.now()}`);
  globex = await makeOrg(`Globex ${Date.now()}`);
});
afterAll(async () => {
  await events?.close();
  await id?.close();
});

describe('GET /api/auth/users/search/', () => {
  it('when an agent searches, then only users of their own org come back, a page at a time', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/auth/users/search/?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await c().get(q, acme.agent.access);
      expect(res.status).toBe(200);
      const page = UserPageSchema.parse(res.body);
      expect(page.results.length).toBeLessThanOrEqual(2);
      seen.push(...page.results.map((u) => u.id));
      cursor = page.next;
    } while (cursor);
    expect(seen.sort()).toEqual([acme.admin.id, acme.agent.id, acme.customer.id].sort());
  });

  it('when searching by q and role, then only matches come back; a name of another org finds nothing', async () => {
    const byRole = await c().get('/api/auth/users/search?role=agent', acme.admin.access);
    expect(byRole.body.results.map((u: { id: string }) => u.id)).toEqual([acme.agent.id]);
    const byName = await c().get(
      `/api/auth/users/search/?q=${acme.customer.username.toUpperCase()}`,
      acme.agent.access,
    );
    expect(byName.body.results.map((u: { id: string }) => u.id)).toEqual([acme.customer.id]);
    const foreign = await c().get(`/api/auth/users/search/?q=${globex.customer.username}`, acme.admin.access);
    expect(foreign.body.results).toEqual([]);
  });

  it('when the limit is huge, then it is clamped; a regex in q is taken literally', async () => {
    expect((await c().get('/api/auth/users/search/?limit=100000', acme.agent.access)).status).toBe(200);
    const res = await c().get('/api/auth/users/search/?q=.*', acme.agent.access);
    expect(res.body.results).toEqual([]);
  });

  it('when a customer searches, then 403; without a token, 401', async () => {
    const res = await c().get('/api/auth/users/search/', acme.customer.access);
    expect([res.status, res.body.code]).toEqual([403, 'AUTH_FORBIDDEN']);
    expect((await c().get('/api/auth/users/search/')).status).toBe(401);
  });
});

describe('admin user management', () => {
  it("when an admin creates an agent, then it belongs to the admin's org whatever the body says", async () => {
    const smuggled = await c().post(
      '/api/auth/users/',
      {
        username: 'smuggler',
        email: 'smuggler@example.com',
        password: 'a good password',
        role: 'agent',
        org_id: globex.admin.orgId,
      },
      acme.admin.access,
    );
    expect(smuggled.status).toBe(400);
    const agent = await hire(c(), acme.admin.access, 'agent');
    const res = await c().get(`/api/auth/users/${agent.id}/`, acme.admin.access);
    expect(res.body).toMatchObject({ role: 'agent', org_id: acme.admin.orgId });
  });

  it('when a non-admin calls an admin function, then 403 and nothing happens', async () => {
    for (const who of [acme.agent, acme.customer]) {
      const created = await c().post(
        '/api/auth/users/',
        {
          username: `x${who.id.slice(0, 8)}`,
          email: `x${who.id.slice(0, 8)}@example.com`,
          password: 'a good password',
          role: 'admin',
        },
        who.access,
      );
      expect(created.status).toBe(403);
      const promoted = await c().patch(`/api/auth/users/${who.id}/`, { role: 'admin' }, who.access);
      expect(promoted.status).toBe(403);
    }
    expect((await c().get(`/api/auth/users/${acme.agent.id}/`, acme.customer.access)).status).toBe(403);
    expect((await c().get('/api/auth/profile/', acme.agent.access)).body.role).toBe('agent');
  });

  it('when org A asks for a user of org B, then 404, for reads and writes alike', async () => {
    const read = await c().get(`/api/auth/users/${globex.customer.id}/`, acme.admin.access);
    expect([read.status, read.body.code]).toEqual([404, 'USER_NOT_FOUND']);
    const write = await c().patch(
      `/api/auth/users/${globex.customer.id}`,
      { is_active: false },
      acme.admin.access,
    );
    expect([write.status, write.body.code]).toEqual([404, 'USER_NOT_FOUND']);
    expect((await c().get('/api/auth/profile/', globex.customer.access)).body.is_active).toBe(true);
  });

  it('when an admin deactivates a user, then their tokens stop at once and login and refresh are refused', async () => {
    const victim = await hire(c(), acme.admin.access, 'agent');
    expect((await c().get('/api/auth/profile/', victim.access)).status).toBe(200);

    const res = await c().patch(`/api/auth/users/${victim.id}/`, { is_active: false }, acme.admin.access);
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);

    const after = await c().get('/api/auth/profile/', victim.access);
    expect([after.status, after.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    expect((await c().post('/api/auth/refresh/', { refresh: victim.refresh })).status).toBe(401);
    const login = await c().post('/api/auth/login/', {
      username: victim.username,
      password: 'a good password',
    });
    expect([login.status, login.body.code]).toEqual([403, 'USER_INACTIVE']);

    const revoked = await events.waitFor(eventOf('session.revoked', victim.id));
    const data = SessionRevokedEventSchema.parse(revoked.body).data;
    expect(data).toMatchObject({ reason: 'deactivated', sessionId: null });
    expect(data.notBefore).not.toBeNull();
    const updated = await events.waitFor(eventOf('user.updated', victim.id));
    expect(updated.body.sequence).toBe(revoked.body.sequence - 1);
  });

  it('when an admin changes a role, then old tokens stop and an immediate new login carries the new role', async () => {
    const staff = await hire(c(), acme.admin.access, 'agent');
    const res = await c().patch(`/api/auth/users/${staff.id}/`, { role: 'user' }, acme.admin.access);
    expect(res.body.role).toBe('user');
    const old = await c().get('/api/auth/users/search/', staff.access);
    expect([old.status, old.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    const event = await events.waitFor(eventOf('session.revoked', staff.id));
    expect(SessionRevokedEventSchema.parse(event.body).data.reason).toBe('role_changed');

    // Within the same second as the cut-off, yet the new token is not caught by it.
    const login = await c().post('/api/auth/login/', {
      username: staff.username,
      password: 'a good password',
    });
    const me = await c().get('/api/auth/profile/', login.body.access);
    expect([me.status, me.body.role]).toEqual([200, 'user']);
    expect((await c().get('/api/auth/users/search/', login.body.access)).status).toBe(403);
  });

  it('when an admin targets themself, then 409 USER_SELF_CHANGE', async () => {
    const res = await c().patch(`/api/auth/users/${acme.admin.id}/`, { role: 'agent' }, acme.admin.access);
    expect([res.status, res.body.code]).toEqual([409, 'USER_SELF_CHANGE']);
  });

  it('when the PATCH body carries anything but role and is_active, then 400', async () => {
    const res = await c().patch(
      `/api/auth/users/${acme.customer.id}/`,
      { email: 'new@example.com' },
      acme.admin.access,
    );
    expect(res.status).toBe(400);
    expect((await c().patch(`/api/auth/users/${acme.customer.id}/`, {}, acme.admin.access)).status).toBe(400);
  });
});
