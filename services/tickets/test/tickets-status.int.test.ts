import { TICKET_STATUSES, type TicketStatus, TicketStatusChangedEventSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, expectProblem, expectStatus, moveThrough, openTicket, people } from './fixtures.ts';
import { as, collectTicketEvents, startTickets, type Tickets } from './harness.ts';
import { EXPECTED_TRANSITIONS } from './status-table.ts';

let t: Tickets;
let events: EventCollector;
let who: Awaited<ReturnType<typeof people>>;
/** The service's clock: tests move it forward to measure durations. */
let now = new Date('2030-03-01T09:00:00.000Z');
const advance = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};

beforeAll(async () => {
  t = await startTickets({}, { clock: () => now });
  events = await collectTicketEvents();
  who = await people(t);
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

/** The statuses to pass through, from a fresh ticket assigned to an agent, to reach `status`. */
const PATH: Record<TicketStatus, TicketStatus[]> = {
  open: ['open'],
  assigned: [],
  in_progress: ['in_progress'],
  pending: ['pending'],
  resolved: ['resolved'],
  closed: ['resolved', 'closed'],
  cancelled: ['cancelled'],
};

/** A ticket of the customer's, assigned to the agent (so `assigned` is reachable), now at `status`. */
async function ticketAt(status: TicketStatus) {
  const created = await openTicket(t, who.customer);
  await assign(t, who.admin, created.id, who.agent.id);
  await moveThrough(t, who.admin, created.id, ...PATH[status]);
  const ticket = (await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body;
  expect(ticket).toMatchObject({ status, assigned_to: who.agent.id });
  return ticket;
}

/**
 * Makes one more change and waits for its event: the relay publishes a ticket's events in
 * sequence order over one channel, so once it arrives every earlier event of the ticket has too,
 * and counting them is exact.
 */
async function eventsOf(id: string) {
  const reply = expectStatus(await as(t, who.admin).patch(`/api/tickets/${id}/`, { tags: ['barrier'] }), 200);
  await events.waitFor((e) => e.body.aggregateId === id && e.body.sequence === reply.body.version);
  return events.events.filter((e) => e.body.aggregateId === id && e.body.sequence < reply.body.version);
}

const pairs = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => EXPECTED_TRANSITIONS[from].includes(to));
const forbidden = pairs.filter(([from, to]) => from !== to && !EXPECTED_TRANSITIONS[from].includes(to));

describe('POST /api/tickets/{id}/status/', () => {
  it.each(allowed)(
    'when an admin moves a ticket from %s to %s, then it answers 200 and publishes one status_changed with the next sequence',
    async (from, to) => {
      const before = await ticketAt(from);
      const reply = expectStatus(
        await as(t, who.admin).post(`/api/tickets/${before.id}/status/`, { status: to }),
        200,
      );
      expect(reply.body).toMatchObject({ id: before.id, status: to, version: before.version + 1 });
      expect(reply.headers.get('etag')).toBe(`"${before.version + 1}"`);

      const changed = (await eventsOf(before.id)).filter((e) => e.body.sequence > before.version);
      expect(changed.map((e) => [e.routingKey, e.body.sequence])).toEqual([
        ['ticket.status_changed', before.version + 1],
      ]);
      const event = TicketStatusChangedEventSchema.parse(changed[0]?.body);
      expect(event.data).toMatchObject({ from, to, reopened: from === 'resolved' && to === 'open' });
      expect(event.data.ticket).toMatchObject({ status: to, version: before.version + 1 });
    },
  );

  it.each(forbidden)(
    'when an admin moves a ticket from %s to %s, then it answers 409 with the allowed targets and changes nothing',
    async (from, to) => {
      const before = await ticketAt(from);
      const reply = await as(t, who.admin).post(`/api/tickets/${before.id}/status/`, { status: to });
      expectProblem(reply, 409, 'TICKET_ILLEGAL_TRANSITION');
      expect(reply.body).toMatchObject({ from, to });
      expect([...reply.body.allowed].sort()).toEqual([...EXPECTED_TRANSITIONS[from]].sort());
      const after = (await as(t, who.admin).get(`/api/tickets/${before.id}/`)).body;
      expect(after).toMatchObject({ status: from, version: before.version });
      expect((await eventsOf(before.id)).filter((e) => e.body.sequence > before.version)).toEqual([]);
    },
  );

  it.each(TICKET_STATUSES)(
    'when the status is set to the one the ticket has (%s), then nothing changes and nothing is published',
    async (status) => {
      const before = await ticketAt(status);
      const reply = expectStatus(
        await as(t, who.admin).post(`/api/tickets/${before.id}/status/`, { status }),
        200,
      );
      expect(reply.body).toMatchObject({ status, version: before.version });
      expect((await eventsOf(before.id)).filter((e) => e.body.sequence > before.version)).toEqual([]);
    },
  );

  it('when an agent moves a ticket assigned to them, then it is allowed as for an admin', async () => {
    const before = await ticketAt('assigned');
    const reply = await as(t, who.agent).post(`/api/tickets/${before.id}/status/`, { status: 'in_progress' });
    expect(expectStatus(reply, 200).body.status).toBe('in_progress');
  });

  it.each(['open', 'in_progress'] as const)(
    'when a %s ticket without an assignee is set to assigned, then it is a 400 on status',
    async (from) => {
      const created = await openTicket(t, who.customer);
      if (from !== 'open') await moveThrough(t, who.admin, created.id, from);
      const reply = await as(t, who.admin).post(`/api/tickets/${created.id}/status/`, { status: 'assigned' });
      expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(reply.body.errors).toEqual([expect.objectContaining({ path: 'status' })]);
      expect((await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body.status).toBe(from);
    },
  );

  it('when a ticket is resolved, then resolved_at is now and resolution_seconds the time since creation', async () => {
    const created = await openTicket(t, who.customer);
    expect(created).toMatchObject({ resolved_at: null, resolution_seconds: null });
    advance(5400);
    const resolved = await moveThrough(t, who.admin, created.id, 'resolved');
    expect(resolved).toMatchObject({
      resolved_at: now.toISOString(),
      resolution_seconds: 5400,
      closed_at: null,
    });
    expect((await as(t, who.customer).get(`/api/tickets/${created.id}/`)).body).toMatchObject({
      resolved_at: now.toISOString(),
      resolution_seconds: 5400,
    });
  });

  it('when a resolved ticket is reopened, then the reopen counts and a new resolution cycle starts', async () => {
    const created = await openTicket(t, who.customer);
    advance(60);
    await moveThrough(t, who.admin, created.id, 'resolved');
    advance(60);
    const reopened = await moveThrough(t, who.admin, created.id, 'open');
    expect(reopened).toMatchObject({
      status: 'open',
      reopen_count: 1,
      resolved_at: null,
      resolution_seconds: null,
    });
    advance(60);
    const again = await moveThrough(t, who.admin, created.id, 'in_progress', 'resolved', 'open', 'resolved');
    expect(again).toMatchObject({ reopen_count: 2, resolved_at: now.toISOString(), resolution_seconds: 180 });
    const changes = (await eventsOf(created.id))
      .filter((e) => e.routingKey === 'ticket.status_changed')
      .map((e) => TicketStatusChangedEventSchema.parse(e.body).data);
    const reopens = changes.filter((d) => d.reopened);
    expect(reopens.map((d) => [d.from, d.to, d.ticket.reopenCount])).toEqual([
      ['resolved', 'open', 1],
      ['resolved', 'open', 2],
    ]);
  });

  it('when a ticket is closed, then closed_at is set and it goes nowhere any more, nor gets reassigned', async () => {
    const created = await openTicket(t, who.customer);
    const closed = await moveThrough(t, who.admin, created.id, 'resolved', 'closed');
    expect(closed).toMatchObject({ status: 'closed', closed_at: now.toISOString() });
    for (const status of TICKET_STATUSES.filter((s) => s !== 'closed')) {
      const reply = await as(t, who.admin).post(`/api/tickets/${created.id}/status/`, { status });
      expectProblem(reply, 409, 'TICKET_ILLEGAL_TRANSITION');
      expect(reply.body.allowed).toEqual([]);
    }
    expectProblem(
      await as(t, who.admin).post(`/api/tickets/${created.id}/assign/`, { assigned_to: who.agent.id }),
      400,
      'VALIDATION_FAILED',
    );
    expect((await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body).toMatchObject({
      status: 'closed',
      assigned_to: null,
    });
  });

  it('when the status is not one of the seven, then it is a 400 and the ticket is unchanged', async () => {
    const created = await openTicket(t, who.customer);
    for (const body of [{ status: 'done' }, {}, { status: 'resolved', note: 'x' }]) {
      expectProblem(
        await as(t, who.admin).post(`/api/tickets/${created.id}/status`, body),
        400,
        'VALIDATION_FAILED',
      );
    }
    expect((await as(t, who.admin).get(`/api/tickets/${created.id}`)).body).toMatchObject({
      status: 'open',
      version: 1,
    });
  });
});
