import {
  TicketAssignedEventSchema,
  TicketCreatedEventSchema,
  TicketSnapshotSchema,
  TicketStatusChangedEventSchema,
  TicketUpdatedEventSchema,
} from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectStatus, openTicket, people } from './fixtures.ts';
import { as, collectTicketEvents, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
let events: EventCollector;
let who: Awaited<ReturnType<typeof people>>;
beforeAll(async () => {
  t = await startTickets();
  events = await collectTicketEvents();
  who = await people(t);
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

const SCHEMAS = {
  'ticket.created': TicketCreatedEventSchema,
  'ticket.updated': TicketUpdatedEventSchema,
  'ticket.assigned': TicketAssignedEventSchema,
  'ticket.status_changed': TicketStatusChangedEventSchema,
} as const;

const of = (id: string) => events.events.filter((e) => e.body.aggregateId === id);

/**
 * Waits for the event with `sequence` and returns all of the ticket's events so far. The relay
 * publishes a ticket's events in order on one channel, so when the last one is in, the earlier
 * ones are too and a count is exact.
 */
async function upTo(id: string, sequence: number) {
  await events.waitFor((e) => e.body.aggregateId === id && e.body.sequence === sequence);
  return of(id);
}

describe('ticket events', () => {
  it('when a ticket is created, edited, assigned and moved, then each change publishes exactly its events with sequence = version', async () => {
    const created = await openTicket(t, who.customer, { description: 'secret-ish details' });
    const patched = expectStatus(
      await as(t, who.admin).patch(`/api/tickets/${created.id}/`, { priority: 'high' }),
      200,
    );
    const assigned = expectStatus(
      await as(t, who.admin).post(`/api/tickets/${created.id}/assign/`, { assigned_to: who.agent.id }),
      200,
    );
    const moved = expectStatus(
      await as(t, who.agent).post(`/api/tickets/${created.id}/status/`, { status: 'in_progress' }),
      200,
    );
    expect([created.version, patched.body.version, assigned.body.version, moved.body.version]).toEqual([
      1, 2, 4, 5,
    ]);

    const got = await upTo(created.id, 5);
    expect(got.map((e) => [e.routingKey, e.body.sequence])).toEqual([
      ['ticket.created', 1],
      ['ticket.updated', 2],
      ['ticket.assigned', 3],
      ['ticket.status_changed', 4],
      ['ticket.status_changed', 5],
    ]);
    for (const e of got) {
      const schema = SCHEMAS[e.routingKey as keyof typeof SCHEMAS];
      const parsed = schema.parse(e.body);
      expect(parsed).toMatchObject({ type: e.routingKey, orgId: who.org, aggregateId: created.id });
      expect(e.messageId).toBe(parsed.id);
    }
    const [c, u, a, s1, s2] = got.map((e) => e.body) as never as Array<{
      actor: unknown;
      data: Record<string, unknown> & { ticket: Record<string, unknown> };
    }>;
    expect(c?.data.ticket).toMatchObject({
      status: 'open',
      version: 1,
      requesterId: who.customer.id,
      key: created.number,
    });
    expect(c?.actor).toEqual({ type: 'user', id: who.customer.id, role: 'user' });
    expect(u?.data.changes).toEqual([{ field: 'priority', old: 'medium', new: 'high' }]);
    expect(a?.data).toMatchObject({ previousAssigneeId: null, via: 'manual', ruleId: null });
    // Each event carries the ticket as it was right after its own change.
    expect(a?.data.ticket).toMatchObject({ assigneeId: who.agent.id, status: 'open', version: 3 });
    expect(s1?.data.ticket).toMatchObject({ assigneeId: who.agent.id, status: 'assigned', version: 4 });
    expect(a?.actor).toEqual({ type: 'user', id: who.admin.id, role: 'admin' });
    expect(s1?.data).toMatchObject({ from: 'open', to: 'assigned', reopened: false });
    expect(s2?.data).toMatchObject({ from: 'assigned', to: 'in_progress' });
    expect(s2?.data.ticket).toMatchObject({ status: 'in_progress', version: 5 });
  });

  it('when an event carries the ticket, then it holds the contract fields only: no internal counts, no description', async () => {
    const created = await openTicket(t, who.customer, { description: 'my password is hunter2' });
    const [e] = await upTo(created.id, 1);
    const { ticket } = TicketCreatedEventSchema.parse(e?.body).data;
    expect(Object.keys(ticket).sort()).toEqual(Object.keys(TicketSnapshotSchema.shape).sort());
    expect(JSON.stringify(e?.body)).not.toContain('hunter2');
  });

  it('when a write changes nothing or is refused, then nothing is published', async () => {
    const created = await openTicket(t, who.customer, { title: 'same' });
    expectStatus(await as(t, who.admin).patch(`/api/tickets/${created.id}/`, { title: 'same' }), 200);
    expect(
      (await as(t, who.admin).post(`/api/tickets/${created.id}/status/`, { status: 'closed' })).status,
    ).toBe(409);
    expect(
      (await as(t, who.customer).post(`/api/tickets/${created.id}/status/`, { status: 'resolved' })).status,
    ).toBe(403);
    const after = expectStatus(
      await as(t, who.admin).patch(`/api/tickets/${created.id}/`, { title: 'changed' }),
      200,
    );
    expect(after.body.version).toBe(2);
    expect((await upTo(created.id, 2)).map((e) => e.body.sequence)).toEqual([1, 2]);
  });

  it('when a ticket is created and changed, then the relay publishes from the outbox each write returned, never reading the ticket back', async () => {
    const kicks = vi.spyOn(t.relay, 'kick');
    const reads = vi.spyOn(t.store.models.tickets, 'findOne');
    try {
      const created = await openTicket(t, who.customer);
      const patched = expectStatus(
        await as(t, who.admin).patch(`/api/tickets/${created.id}/`, { priority: 'high' }),
        200,
      );
      const published = await upTo(created.id, patched.body.version);
      const hints = kicks.mock.calls.map(([hint]) => hint).filter((hint) => hint?.id === created.id);
      // Each write's own event is the last of the outbox it hands over.
      expect(hints.map((hint) => hint?.outbox?.at(-1)?._id)).toEqual(published.map((e) => e.body.id));
      // The relay's read of a hinted ticket asks for its outbox; the app's own reads never do.
      const relayReads = reads.mock.calls.filter(([, projection]) =>
        JSON.stringify(projection)?.includes('outbox'),
      );
      expect(relayReads).toEqual([]);
    } finally {
      kicks.mockRestore();
      reads.mockRestore();
    }
  });
});

describe('ticket events across a crash', () => {
  it('when a change is written while the relay is down, then a new process publishes it exactly once, in sequence', async () => {
    const first = await startTickets();
    const org = await people(first);
    const created = await openTicket(first, org.customer);
    await upTo(created.id, 1);

    await first.relay.stop();
    const patched = expectStatus(
      await as(first, org.admin).patch(`/api/tickets/${created.id}/`, { title: 'while down' }),
      200,
    );
    expect(patched.body.version).toBe(2);
    await expect(
      events.waitFor((e) => e.body.aggregateId === created.id && e.body.sequence === 2, 500),
    ).rejects.toThrow(/no matching event/);
    const pending = await first.store.models.tickets.findById(created.id).select({ outbox: 1 }).lean();
    expect(pending?.outbox?.map((o) => o.envelope.sequence)).toEqual([2]);
    await first.close();

    const second = await startTickets({ MONGO_URL: first.config.MONGO_URL });
    try {
      const published = await events.waitFor(
        (e) => e.body.aggregateId === created.id && e.body.sequence === 2,
      );
      expect(TicketUpdatedEventSchema.parse(published.body).data.ticket.title).toBe('while down');
      const next = expectStatus(
        await as(second, org.admin).post(`/api/tickets/${created.id}/status/`, { status: 'pending' }),
        200,
      );
      expect(next.body.version).toBe(3);
      const all = await upTo(created.id, 3);
      expect(all.map((e) => [e.routingKey, e.body.sequence])).toEqual([
        ['ticket.created', 1],
        ['ticket.updated', 2],
        ['ticket.status_changed', 3],
      ]);
      await second.relay.drained();
      const left = await second.store.models.tickets.findById(created.id).select({ outbox: 1 }).lean();
      expect(left?.outbox).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
