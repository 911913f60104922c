import { IdentityEvents, UsersSnapshotPageSchema } from '@helpdesk/contracts';
import { INTERNAL_TOKEN_HEADER } from '@helpdesk/kit';
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

const INTERNAL_TOKEN = 'an internal token of at least 32 characters';
const BOOTSTRAP = {
  BOOTSTRAP_ADMIN_USERNAME: `snapboot${Date.now()}`,
  BOOTSTRAP_ADMIN_EMAIL: `snapboot${Date.now()}@example.com`,
  BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap password',
};

let id: Identity;
let events: EventCollector;
const c = () => client(id);

/** `token: null` sends none. */
async function snapshot(query = '', token: string | null = INTERNAL_TOKEN) {
  const res = await id.app.request(`/internal/users${query}`, {
    headers: token === null ? {} : { [INTERNAL_TOKEN_HEADER]: token },
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Every page, `limit` users at a time. */
async function walk(limit: number) {
  const pages = [];
  let after: string | null = null;
  do {
    const res = await snapshot(`?limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(res.status).toBe(200);
    const page = UsersSnapshotPageSchema.parse(res.body);
    pages.push(page);
    after = page.next;
  } while (after);
  return pages;
}

beforeAll(async () => {
  events = await collectIdentityEvents();
  id = await startIdentity({ INTERNAL_TOKEN, ...BOOTSTRAP });
});
afterAll(async () => {
  await id?.close();
  await events?.close();
});

describe('GET /internal/users', () => {
  it('when the internal token is missing or wrong, then 403 and nothing is told, even for a bad query', async () => {
    for (const token of [null, `${INTERNAL_TOKEN}x`, '']) {
      for (const query of ['', '?limit=0']) {
        const res = await snapshot(query, token);
        expect(res.status).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
        expect(JSON.stringify(res.body)).not.toContain(BOOTSTRAP.BOOTSTRAP_ADMIN_USERNAME);
      }
    }
  });

  it('when paged two at a time, then every user of every org comes exactly once, ordered by id', async () => {
    const acme = await signUp(c(), { org: `Snap Acme ${Date.now()}` });
    const agent = await hire(c(), acme.access, 'agent');
    const globex = await signUp(c(), { org: `Snap Globex ${Date.now()}` });
    const customer = await signUp(c());

    const pages = await walk(2);
    const ids = pages.flatMap((p) => p.results.map((u) => u.id));
    expect(pages.slice(0, -1).every((p) => p.results.length === 2)).toBe(true);
    expect(pages.at(-1)?.next).toBeNull();
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    const bootstrap = pages
      .flatMap((p) => p.results)
      .find((u) => u.username === BOOTSTRAP.BOOTSTRAP_ADMIN_USERNAME);
    expect(bootstrap).toMatchObject({ role: 'admin', orgId: 'default', active: true });
    expect([...ids].sort()).toEqual([bootstrap?.id, acme.id, agent.id, globex.id, customer.id].sort());

    const single = await walk(1000);
    expect(single).toHaveLength(1);
    expect(single[0]?.results.map((u) => u.id)).toEqual(ids);
  });

  it("when a user changed, then the entry is the user as its events say, with its latest event's sequence", async () => {
    const admin = await signUp(c(), { org: `Snap Initech ${Date.now()}` });
    const agent = await hire(c(), admin.access, 'agent');
    const res = await c().patch(`/api/auth/users/${agent.id}/`, { is_active: false }, admin.access);
    expect(res.status).toBe(200);
    const updated = await events.waitFor(eventOf(IdentityEvents.UserUpdated, agent.id));
    // A deactivation also revokes the agent's sessions: that event is numbered by the same counter.
    await events.waitFor(eventOf(IdentityEvents.SessionRevoked, agent.id));
    const latest = Math.max(
      ...events.events.filter((e) => e.body.aggregateId === agent.id).map((e) => e.body.sequence),
    );

    const entry = (await walk(500)).flatMap((p) => p.results).find((u) => u.id === agent.id);
    expect(entry).toEqual({
      ...(updated.body.data as { user: object }).user,
      sequence: latest,
    });
    expect(entry).toMatchObject({
      active: false,
      role: 'agent',
      orgId: admin.orgId,
      username: agent.username,
    });
    expect(Object.keys(entry ?? {}).sort()).toEqual(
      ['active', 'email', 'firstName', 'id', 'lastName', 'orgId', 'role', 'sequence', 'username'].sort(),
    );
  });

  it('when `after` is past the last id, then an empty last page; a bad limit gets problem+json 400', async () => {
    const past = await snapshot(`?after=${'~'.repeat(20)}`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ results: [], next: null });
    for (const query of ['?limit=0', '?limit=abc', `?after=${'x'.repeat(200)}`]) {
      const res = await snapshot(query);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });
});

describe('GET /internal/users without INTERNAL_TOKEN configured', () => {
  it('when identity has no internal token, then the snapshot is served without one', async () => {
    const open = await startIdentity();
    try {
      const res = await open.app.request('/internal/users');
      expect(res.status).toBe(200);
      expect(UsersSnapshotPageSchema.parse(await res.json()).next).toBeNull();
    } finally {
      await open.close();
    }
  });
});
