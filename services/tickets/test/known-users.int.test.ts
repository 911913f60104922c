import { type Envelope, IdentityEvents, type UserSnapshot } from '@helpdesk/contracts';
import { type Broker, connectBroker, makeEnvelope } from '@helpdesk/messaging';
import { collectEvents, type EventCollector, testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTicketsConfig } from '../src/config.ts';
import { openStore } from '../src/infra/store.ts';
import { startTicketsRuntime, type TicketsRuntime } from '../src/runtime.ts';
import { syncKnownUsers } from '../src/use-cases/sync-known-users.ts';
import { expectProblem, expectStatus, newOrg, openTicket } from './fixtures.ts';
import { as, startTickets, type Tickets } from './harness.ts';
import { type IdentityProcess, startIdentityProcess } from './identity-process.ts';

const INTERNAL_TOKEN = 'an internal token of at least 32 characters';

describe('tickets.users consumer', () => {
  let t: Tickets;
  let broker: Broker;
  beforeAll(async () => {
    t = await startTickets();
    broker = await connectBroker({
      url: testServers().amqpUrl,
      logger: pino({ level: 'silent' }),
      name: 'known-users-test',
    });
  });
  afterAll(async () => {
    await broker?.close();
    await t?.close();
  });

  const updated = (user: UserSnapshot, sequence: number) =>
    makeEnvelope({
      type: IdentityEvents.UserUpdated,
      orgId: user.orgId,
      aggregateId: user.id,
      sequence,
      actor: { type: 'system', id: 'identity' },
      data: { user, changed: ['active'] },
    });

  /** Publishes `event` and waits until this runtime handled it (its queue is its own). */
  async function deliver(event: Envelope, handled: () => Promise<boolean> | boolean, description: string) {
    await broker.publish(event);
    await waitFor(handled, { description });
  }

  it('when identity deactivates an agent, then they cannot be assigned, and a stale update does not bring them back', async () => {
    const org = newOrg();
    const [customer, admin, agent] = [
      await t.user('user', org),
      await t.user('admin', org),
      await t.user('agent', org),
    ];
    const ticket = await openTicket(t, customer);
    expectStatus(
      await as(t, admin).post(`/api/tickets/${ticket.id}/assign/`, { assigned_to: agent.id }),
      200,
    );
    expectStatus(await as(t, admin).post(`/api/tickets/${ticket.id}/assign/`, { assigned_to: null }), 200);
    const known = await t.store.users.find(org, agent.id);
    if (!known) throw new Error('the harness made the agent known');

    await deliver(
      updated({ ...known, active: false }, 2),
      async () => (await t.store.users.find(org, agent.id))?.active === false,
      'the agent deactivated',
    );
    const refused = await as(t, admin).post(`/api/tickets/${ticket.id}/assign/`, { assigned_to: agent.id });
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(refused.body)).toContain('active agent or admin');

    // Sequence 1 is older than the deactivation: the consumer drops it.
    const stale = updated({ ...known, active: true, firstName: 'Stale' }, 1);
    await deliver(
      stale,
      () => t.logs.some((l) => l.includes(stale.id) && l.includes('"applied":false')),
      'the stale update handled',
    );
    expect(await t.store.users.find(org, agent.id)).toMatchObject({ active: false, firstName: 'Test' });
  });
});

describe('identity users snapshot', () => {
  let identity: IdentityProcess;
  let events: EventCollector;
  const admin = {
    username: `tkboot${Date.now().toString(36)}`,
    email: `tkboot${Date.now().toString(36)}@example.com`,
    password: 'bootstrap password',
  };
  let adminToken: string;
  let adminId: string;
  const runtimes: TicketsRuntime[] = [];

  async function hire(role: 'agent' | 'user') {
    const username = `tk${role}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const res = await identity.call(
      'POST',
      '/api/auth/users/',
      { username, email: `${username}@example.com`, password: 'a good password', role },
      adminToken,
    );
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** The highest sequence identity published for `userId`, once `type` of it arrived. */
  async function latestSequence(userId: string, type: string) {
    await events.waitFor((e) => e.routingKey === type && e.body.aggregateId === userId);
    return Math.max(
      ...events.events.filter((e) => e.body.aggregateId === userId).map((e) => e.body.sequence),
    );
  }

  beforeAll(async () => {
    events = await collectEvents(testServers().amqpUrl, [
      IdentityEvents.UserRegistered,
      IdentityEvents.UserUpdated,
      IdentityEvents.SessionRevoked,
    ]);
    identity = await startIdentityProcess({
      INTERNAL_TOKEN,
      BOOTSTRAP_ADMIN_USERNAME: admin.username,
      BOOTSTRAP_ADMIN_EMAIL: admin.email,
      BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    });
    const login = await identity.call('POST', '/api/auth/login/', {
      username: admin.username,
      password: admin.password,
    });
    expect(login.status).toBe(200);
    adminToken = login.body.access;
    adminId = (await identity.call('GET', '/api/auth/profile/', undefined, adminToken)).body.id;
  });
  afterAll(async () => {
    for (const r of runtimes) await r.close();
    await identity?.stop();
    await events?.close();
  });

  it("when identity has users the service never heard of, then the loader copies each with its latest event's sequence", async () => {
    const agentId = await hire('agent');
    const customerId = await hire('user');
    expect(
      (await identity.call('PATCH', `/api/auth/users/${customerId}/`, { is_active: false }, adminToken))
        .status,
    ).toBe(200);
    // A deactivation also revokes sessions: that event, numbered by the same counter, comes last.
    const customerSequence = await latestSequence(customerId, IdentityEvents.SessionRevoked);
    // A store no consumer ever fed: whatever it knows comes from the snapshot.
    const store = await openStore(uniqueDbUrl(testServers().mongoUrl, 'tickets'));
    try {
      const url = `${identity.url}/internal/users`;
      await expect(syncKnownUsers(store.users, url, { token: 'not the token', attempts: 1 })).rejects.toThrow(
        /403/,
      );
      expect(await store.models.knownUsers.countDocuments()).toBe(0);

      const result = await syncKnownUsers(store.users, url, { token: INTERNAL_TOKEN, pageSize: 2 });

      expect(result).toEqual({ users: 3, updated: 3, pages: 2 });
      expect(await store.users.find('default', adminId)).toMatchObject({ role: 'admin', active: true });
      expect(await store.users.find('default', agentId)).toMatchObject({ role: 'agent', active: true });
      expect(await store.users.find('default', customerId)).toMatchObject({ role: 'user', active: false });
      const stored = await store.models.knownUsers.findById(customerId).lean();
      expect(stored?.sequence).toBe(customerSequence);
      // Loading again changes nothing: every entry is as old as what is stored.
      expect(await syncKnownUsers(store.users, url, { token: INTERNAL_TOKEN })).toMatchObject({ updated: 0 });
    } finally {
      await store.close();
    }
  });

  it('when the service starts with snapshots on, then users identity had before are known and assignable at once', async () => {
    const agentId = await hire('agent');
    const logs: string[] = [];
    const { mongoUrl, amqpUrl } = testServers();
    const runtime = await startTicketsRuntime({
      config: loadTicketsConfig({
        MONGO_URL: uniqueDbUrl(mongoUrl, 'tickets'),
        AMQP_URL: amqpUrl,
        IDENTITY_URL: identity.url,
        INTERNAL_TOKEN,
      }),
      logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
      loadSnapshots: true,
      connectionName: 'tickets-snapshot-test',
    });
    runtimes.push(runtime);

    const loaded = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'known users loaded from identity');
    expect(loaded?.users).toBeGreaterThanOrEqual(2);
    // No waiting: start-up resolves only once the snapshot is in.
    expect(await runtime.store.users.find('default', adminId)).toMatchObject({ role: 'admin', active: true });
    expect(await runtime.store.users.find('default', agentId)).toMatchObject({ role: 'agent', active: true });
    // identity's own token, checked against its JWKS: the bootstrap admin works the tickets API at once.
    const call = (path: string, body: unknown) =>
      runtime.app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await call('/api/tickets/', { title: 'Printer on fire' });
    expect(created.status).toBe(201);
    const ticket = (await created.json()) as { id: string };
    const assigned = await call(`/api/tickets/${ticket.id}/assign/`, { assigned_to: agentId });
    expect(assigned.status).toBe(200);
    expect(await assigned.json()).toMatchObject({ assigned_to: agentId, status: 'assigned' });
  });
});
