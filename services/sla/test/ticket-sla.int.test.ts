import { type TicketEscalatedEvent, TicketEscalatedEventSchema } from '@helpdesk/contracts';
import { type EventCollector, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, collectSlaEvents, type Sla, startSla, type TestUser } from './harness.ts';
import { type TicketStory, ticketStory } from './ticket-stories.ts';

let t: Sla;
let events: EventCollector;

beforeAll(async () => {
  t = await startSla();
  events = await collectSlaEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

/** A fresh org: a customer's ticket whose SLA is running, an admin, and two agents. */
async function scene(over: Parameters<typeof ticketStory>[1] = {}) {
  const customer = await t.user('user');
  const [admin, agent, otherAgent] = [
    await t.user('admin', customer.orgId),
    await t.user('agent', customer.orgId),
    await t.user('agent', customer.orgId),
  ];
  const story = ticketStory(customer, over);
  await t.publish(story.created());
  await slaOf(admin, story);
  return { customer, admin, agent, otherAgent, story };
}

/** The SLA as `who` reads it, once the workflow answers. */
const slaOf = (who: TestUser, story: TicketStory) =>
  waitFor(
    async () => {
      const r = await as(t, who).get(`/api/tickets/${story.ticket.id}/sla/`);
      return r.status === 200 && r;
    },
    { description: 'the SLA readable' },
  );

const escalationsOf = (ticketId: string) =>
  events.events
    .filter((e) => e.routingKey === 'ticket.escalated')
    .map((e) => TicketEscalatedEventSchema.parse(e.body))
    .filter((e) => e.data.ticketId === ticketId);

describe('GET /api/tickets/{id}/sla/', () => {
  it('when staff read it, then every clock shows with its target, state and times', async () => {
    const { admin, story } = await scene({ priority: 'high' });
    const r = await slaOf(admin, story);
    expect(r.body).toMatchObject({
      ticket_id: story.ticket.id,
      status: 'open',
      priority: 'high',
      policy: { id: null, name: 'default', version: null },
      escalation_level: 0,
      finished: false,
    });
    expect(r.body.clocks.map((c: { clock: string }) => c.clock)).toEqual([
      'first_response',
      'periodic_update',
      'resolution',
    ]);
    const periodic = r.body.clocks[1];
    expect(periodic).toMatchObject({ state: 'running', target_seconds: 3600, paused: false, cycle: 1 });
    expect(Date.parse(periodic.due_at) - Date.parse(story.ticket.createdAt)).toBe(3_600_000);
    expect(r.body.next_event).toMatchObject({ kind: 'breached', clock: 'periodic_update' });
  });

  it('when the customer reads their own ticket, then they see the clocks about them and nothing of staff activity', async () => {
    const { customer, story } = await scene();
    const r = await slaOf(customer, story);
    expect(r.body.clocks.map((c: { clock: string }) => c.clock)).toEqual(['first_response', 'resolution']);
    // The level comes from the staff activity clock, which internal notes restart.
    expect(r.body.escalation_level).toBeNull();
    // The next event is periodic_update's breach: it tells of staff activity, so customers do not see it.
    expect(r.body.next_event).toBeNull();
  });

  it('when the ticket is referred to by its number, then it is found', async () => {
    const { admin, story } = await scene();
    const r = await as(t, admin).get(`/api/tickets/${story.ticket.key.toLowerCase()}/sla`);
    expect(r.status).toBe(200);
    expect(r.body.ticket_id).toBe(story.ticket.id);
  });

  it('when someone who may not see the ticket asks, then the answer is 404 as for a ticket that does not exist', async () => {
    const { admin, agent, otherAgent, story } = await scene();
    const strangerCustomer = await t.user('user', story.ticket.orgId);
    const otherOrgAdmin = await t.user('admin');
    await t.publish(story.assigned(admin, otherAgent.id, 'manual'));
    await waitFor(
      async () => (await as(t, agent).get(`/api/tickets/${story.ticket.id}/sla/`)).status === 404,
      { description: 'the assignment applied' },
    );

    for (const who of [strangerCustomer, otherOrgAdmin, agent]) {
      const r = await as(t, who).get(`/api/tickets/${story.ticket.id}/sla/`);
      expect(r.status, who.role).toBe(404);
      expect(r.body.code).toBe('TICKET_NOT_FOUND');
    }
    expect((await as(t, otherAgent).get(`/api/tickets/${story.ticket.id}/sla/`)).status).toBe(200);
    expect((await as(t, admin).get(`/api/tickets/${story.ticket.id}/sla/`)).status).toBe(200);
  });

  it('when an agent asks for an unassigned ticket, then they see it', async () => {
    const { agent, story } = await scene();
    expect((await as(t, agent).get(`/api/tickets/${story.ticket.id}/sla/`)).status).toBe(200);
  });

  it('when the ticket is known but has no workflow yet, then the answer is SLA_NOT_FOUND', async () => {
    const customer = await t.user('user');
    const story = ticketStory(customer);
    // Only the read model: as if the signal had not gone out yet.
    await t.store.tickets.record(story.ticket, 1);
    const r = await as(t, customer).get(`/api/tickets/${story.ticket.id}/sla/`);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('SLA_NOT_FOUND');
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when there is no token, then the answer is 401', async () => {
    const r = await as(t, undefined).get('/api/tickets/anything/sla/');
    expect(r.status).toBe(401);
  });
});

describe('POST /api/tickets/{id}/sla/escalate/', () => {
  it('when an admin escalates with an Idempotency-Key, then the level rises once and ticket.escalated says so', async () => {
    const { admin, story } = await scene();
    const path = `/api/tickets/${story.ticket.id}/sla/escalate/`;
    const headers = { 'idempotency-key': 'esc-1' };
    const first = await as(t, admin).post(path, { reason: 'VIP customer' }, headers);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ ticket_id: story.ticket.id, key: `key:${admin.id}:esc-1` });
    const again = await as(t, admin).post(path.slice(0, -1), { reason: 'VIP customer' }, headers);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const event = await events.waitFor(
      (e) =>
        e.routingKey === 'ticket.escalated' &&
        (e.body as TicketEscalatedEvent).data.ticketId === story.ticket.id,
    );
    const escalated = TicketEscalatedEventSchema.parse(event.body);
    expect(escalated).toMatchObject({
      orgId: story.ticket.orgId,
      aggregateId: `sla:ticket:${story.ticket.id}`,
      actor: { type: 'user', id: admin.id, role: 'admin' },
      data: {
        ticketId: story.ticket.id,
        level: 1,
        clock: 'manual',
        reason: 'VIP customer',
        key: `sla:ticket:${story.ticket.id}:manual:key:${admin.id}:esc-1:1`,
        actions: [],
      },
    });
    const view = await slaOf(admin, story);
    expect(view.body.escalation_level).toBe(1);
    await t.relay.drained();
    expect(escalationsOf(story.ticket.id)).toHaveLength(1);
  });

  it('when the workflow gets the same request key twice, then it escalates once', async () => {
    const { admin, story } = await scene();
    const request = { at: new Date().toISOString(), reason: 'twice', actorId: admin.id, key: 'same' };
    expect(await t.deps.workflows.escalate(story.ticket.id, request)).toBe('signalled');
    expect(await t.deps.workflows.escalate(story.ticket.id, request)).toBe('signalled');
    await events.waitFor((e) => (e.body as TicketEscalatedEvent).data?.ticketId === story.ticket.id);
    // A later, different request proves the second copy was handled before it.
    await t.deps.workflows.escalate(story.ticket.id, { ...request, key: 'other', reason: 'another' });
    await waitFor(() => escalationsOf(story.ticket.id).length === 2, {
      description: 'the second escalation',
    });
    await t.relay.drained();
    expect(escalationsOf(story.ticket.id).map((e) => [e.data.level, e.data.reason])).toEqual([
      [1, 'twice'],
      [2, 'another'],
    ]);
  });

  it('when requests come without a key, then each one escalates', async () => {
    const { admin, story } = await scene();
    const path = `/api/tickets/${story.ticket.id}/sla/escalate/`;
    expect((await as(t, admin).post(path, { reason: 'one' })).status).toBe(202);
    expect((await as(t, admin).post(path, { reason: 'two' })).status).toBe(202);
    const r = await waitFor(
      async () => {
        const v = await slaOf(admin, story);
        return v.body.escalation_level === 2 && v;
      },
      { description: 'two escalations' },
    );
    expect(r.body.escalation_level).toBe(2);
  });

  it('when two admins send the same X-Request-Id without a key, then each request is its own (scoped by caller)', async () => {
    const { admin, story } = await scene();
    const otherAdmin = await t.user('admin', admin.orgId);
    const path = `/api/tickets/${story.ticket.id}/sla/escalate/`;
    const headers = { 'x-request-id': 'same-request-id' };
    const mine = await as(t, admin).post(path, { reason: 'one' }, headers);
    const theirs = await as(t, otherAdmin).post(path, { reason: 'two' }, headers);
    expect(mine.body.key).toBe(`request:${admin.id}:same-request-id`);
    expect(theirs.body.key).toBe(`request:${otherAdmin.id}:same-request-id`);
    const r = await waitFor(
      async () => {
        const v = await slaOf(admin, story);
        return v.body.escalation_level === 2 && v;
      },
      { description: 'both escalations' },
    );
    expect(r.body.escalation_level).toBe(2);
  });

  it('when someone other than an admin escalates, then the answer is 403 and nothing is escalated', async () => {
    const { customer, agent, admin, story } = await scene();
    for (const who of [customer, agent]) {
      const r = await as(t, who).post(`/api/tickets/${story.ticket.id}/sla/escalate/`, { reason: 'please' });
      expect(r.status).toBe(403);
    }
    expect((await slaOf(admin, story)).body.escalation_level).toBe(0);
  });

  it('when the body is not valid, then the answer is 400 naming the field', async () => {
    const { admin, story } = await scene();
    const r = await as(t, admin).post(`/api/tickets/${story.ticket.id}/sla/escalate/`, { reason: '  ' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
  });

  it('when the ticket is of another org, then the answer is 404', async () => {
    const { story } = await scene();
    const otherAdmin = await t.user('admin');
    const r = await as(t, otherAdmin).post(`/api/tickets/${story.ticket.id}/sla/escalate/`, { reason: 'x' });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('TICKET_NOT_FOUND');
  });

  it('when the ticket is closed, then the answer is 409 SLA_ENDED', async () => {
    const { admin, story } = await scene();
    await t.publish(story.statusChanged(admin, 'closed'));
    await waitFor(
      async () =>
        (await t.client.workflow.getHandle(`sla:ticket:${story.ticket.id}`).describe()).status.name ===
        'COMPLETED',
      { description: 'the workflow completed' },
    );
    const r = await as(t, admin).post(`/api/tickets/${story.ticket.id}/sla/escalate/`, { reason: 'late' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('SLA_ENDED');
    // The finished workflow still answers for the ticket's final SLA.
    const sla = await as(t, admin).get(`/api/tickets/${story.ticket.id}/sla/`);
    expect(sla.status).toBe(200);
    expect(sla.body).toMatchObject({
      status: 'closed',
      finished: true,
      escalation_level: 0,
      next_event: null,
    });
  });
});

describe('service endpoints', () => {
  it('when the OpenAPI document is read, then it lists every sla route', async () => {
    const r = await as(t, undefined).get('/openapi.json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/sla/calendars/',
        '/api/sla/calendars/{id}/',
        '/api/sla/escalations/',
        '/api/sla/policies/',
        '/api/sla/policies/{id}/',
        '/api/tickets/{id}/sla/',
        '/api/tickets/{id}/sla/escalate/',
      ]),
    );
  });

  it('when readiness is asked, then MongoDB, the broker, Temporal and the worker answer', async () => {
    const r = await as(t, undefined).get('/readyz');
    expect(r.status).toBe(200);
    expect(r.body.checks).toEqual({ mongo: 'ok', broker: 'ok', temporal: 'ok', worker: 'ok' });
  });
});

describe('an API-only replica (SLA_WORKER=false)', () => {
  it('when no worker serves the task queue, then it runs none and the SLA read answers 503 in bounded time', async () => {
    const apiOnly = await startSla({ SLA_WORKER: 'false' });
    try {
      expect(apiOnly.worker).toBeNull();
      const ready = await as(apiOnly, undefined).get('/readyz');
      expect(Object.keys(ready.body.checks).sort()).toEqual(['broker', 'mongo', 'temporal']);
      const customer = await apiOnly.user('user');
      const story = ticketStory(customer);
      await apiOnly.publish(story.created());
      await waitFor(() => apiOnly.client.workflow.getHandle(`sla:ticket:${story.ticket.id}`).describe(), {
        description: 'the workflow started',
      });

      const started = Date.now();
      const r = await as(apiOnly, customer).get(`/api/tickets/${story.ticket.id}/sla/`);
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('SLA_UNAVAILABLE');
      expect(r.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await apiOnly.close();
    }
  });
});
