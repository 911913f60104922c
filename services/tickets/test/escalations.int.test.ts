import {
  type Envelope,
  type EscalationAction,
  type TicketEscalatedEvent,
  TicketEvents,
  TicketSnapshotSchema,
} from '@helpdesk/contracts';
import { type Broker, connectBroker, deadLetterQueueName, makeEnvelope } from '@helpdesk/messaging';
import { type EventCollector, testServers, waitFor } from '@helpdesk/testkit';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../src/domain/ticket.ts';
import { assign, moveThrough, newOrg, openTicket } from './fixtures.ts';
import { collectTicketEvents, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
let broker: Broker;
let events: EventCollector;

beforeAll(async () => {
  t = await startTickets();
  events = await collectTicketEvents();
  broker = await connectBroker({
    url: testServers().amqpUrl,
    logger: pino({ level: 'silent' }),
    name: 'escalations-test',
  });
});
afterAll(async () => {
  await broker?.close();
  await events?.close();
  await t?.close();
});

type EscalationData = TicketEscalatedEvent['data'];

/** `ticket.escalated` as the sla service publishes it; `key` is unique per escalation. */
function escalation(
  ticket: { id: string; orgId: string },
  level: number,
  actions: EscalationAction[] = [],
  over: Partial<EscalationData> = {},
): Envelope<EscalationData> {
  return makeEnvelope({
    type: TicketEvents.Escalated,
    orgId: ticket.orgId,
    aggregateId: ticket.id,
    sequence: level,
    actor: { type: 'system', id: 'sla' },
    data: {
      ticketId: ticket.id,
      level,
      clock: 'resolution',
      reason: 'resolution target missed',
      key: `sla:ticket:${ticket.id}:resolution:1:${level}:${uuidv7()}`,
      actions,
      ...over,
    },
  });
}

/** A fresh org with a customer's open ticket, an admin and two agents. */
async function scene() {
  const org = newOrg('esc');
  const [customer, admin, agent, otherAgent] = [
    await t.user('user', org),
    await t.user('admin', org),
    await t.user('agent', org),
    await t.user('agent', org),
  ];
  const dto = await openTicket(t, customer);
  return { org, customer, admin, agent, otherAgent, ticket: { id: dto.id as string, orgId: org } };
}

const read = async (ticket: { id: string; orgId: string }): Promise<Ticket> => {
  const found = await t.store.tickets.find(ticket.orgId, ticket.id);
  if (!found) throw new Error(`ticket ${ticket.id} is gone`);
  return found;
};

const logLines = () => t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

/** This runtime's consumer log lines with `msg` about `key`. */
const logged = (key: string, msg: string) => logLines().filter((l) => l.key === key && l.msg === msg);

/** Publishes `event` and waits until `handled` says this runtime took it (its queue is its own). */
async function deliver<T>(
  event: Envelope,
  handled: () => Promise<T | null | undefined> | T | null | undefined,
  description: string,
): Promise<NonNullable<T>> {
  await broker.publish(event);
  return waitFor(handled, { description }) as Promise<NonNullable<T>>;
}

/** The stored ticket once it satisfies `pred`. */
const once = (ticket: { id: string; orgId: string }, pred: (t: Ticket) => boolean) => async () => {
  const now = await read(ticket);
  return pred(now) ? now : null;
};

describe('ticket.escalated consumer', () => {
  it('when an escalation arrives, then the level is set with a system history entry and one ticket.updated', async () => {
    const { ticket } = await scene();
    const before = await read(ticket);
    const event = escalation(ticket, 1);

    const after = await deliver(
      event,
      once(ticket, (x) => x.escalationLevel === 1),
      'level 1 applied',
    );

    expect(after.version).toBe(before.version + 1);
    const history = await t.store.tickets.history(ticket.orgId, ticket.id);
    expect(history.filter((h) => h.field === 'escalationLevel')).toEqual([
      expect.objectContaining({ old: 0, new: 1, actorId: 'sla', actorRole: 'system' }),
    ]);
    const updated = await events.waitFor(
      (e) => e.routingKey === TicketEvents.Updated && e.body.aggregateId === ticket.id,
    );
    expect(updated.body).toMatchObject({
      sequence: after.version,
      actor: { type: 'system', id: 'sla' },
      causationId: event.id,
      correlationId: event.correlationId,
      data: { changes: [{ field: 'escalationLevel', old: 0, new: 1 }] },
    });
    expect(
      TicketSnapshotSchema.parse((updated.body.data as { ticket: unknown }).ticket).escalationLevel,
    ).toBe(1);
  });

  it('when the same escalation comes twice, and again under another event id, then it applies once', async () => {
    const { ticket } = await scene();
    const before = await read(ticket);
    const first = escalation(ticket, 1, [{ type: 'raise_priority' }]);
    const republished = { ...first, id: uuidv7() };
    // What this runtime's consumer concluded about each delivery of `id`, in order.
    const outcomes = (id: string) =>
      logLines()
        .filter(
          (l) => l.key === first.data.key && l.messageId === id && l.msg !== 'escalation action skipped',
        )
        .map((l) => l.msg);
    await deliver(
      first,
      once(ticket, (x) => x.escalationLevel === 1),
      'the escalation applied',
    );

    await deliver(first, () => outcomes(first.id).length >= 2, 'the redelivery handled');
    await deliver(republished, () => outcomes(republished.id).length >= 1, 'the copy handled');

    const repeat = 'escalation already applied, nothing changed';
    const [applied, ...redelivered] = outcomes(first.id);
    expect([applied, ...new Set([...redelivered, ...outcomes(republished.id)])]).toEqual([
      'escalation applied',
      repeat,
    ]);
    const after = await read(ticket);
    expect(after).toMatchObject({ version: before.version + 1, escalationLevel: 1, priority: 'high' });
    const history = await t.store.tickets.history(ticket.orgId, ticket.id);
    expect(history.filter((h) => h.actorRole === 'system').map((h) => [h.field, h.old, h.new])).toEqual([
      ['escalationLevel', 0, 1],
      ['priority', 'medium', 'high'],
    ]);
  });

  it('when a lower level arrives after a higher one, then the level is not lowered', async () => {
    const { ticket } = await scene();
    await deliver(
      escalation(ticket, 3),
      once(ticket, (x) => x.escalationLevel === 3),
      'level 3 applied',
    );

    // Its raise is what shows that it was handled.
    const lower = escalation(ticket, 1, [{ type: 'raise_priority', to: 'critical' }]);
    const after = await deliver(
      lower,
      once(ticket, (x) => x.priority === 'critical'),
      'the lower level handled',
    );

    expect(after.escalationLevel).toBe(3);
    const levels = (await t.store.tickets.history(ticket.orgId, ticket.id)).filter(
      (h) => h.field === 'escalationLevel',
    );
    expect(levels.map((h) => [h.old, h.new])).toEqual([[0, 3]]);
  });

  it('when the ladder reassigns and raises the priority, then both apply with their events', async () => {
    const { ticket, agent } = await scene();
    const before = await read(ticket);
    const event = escalation(ticket, 1, [
      { type: 'notify', userIds: [], roles: ['admin'] },
      { type: 'reassign', assigneeId: agent.id },
      { type: 'raise_priority', to: 'critical' },
    ]);

    const after = await deliver(
      event,
      once(ticket, (x) => x.assigneeId === agent.id),
      'reassigned',
    );

    expect(after).toMatchObject({ priority: 'critical', status: 'assigned', escalationLevel: 1 });
    const mine = (type: string) =>
      events.waitFor((e) => e.routingKey === type && e.body.aggregateId === ticket.id);
    const [updated, assigned, status] = await Promise.all([
      mine(TicketEvents.Updated),
      mine(TicketEvents.Assigned),
      mine(TicketEvents.StatusChanged),
    ]);
    expect([updated, assigned, status].map((e) => e.body.sequence)).toEqual([
      before.version + 1,
      before.version + 2,
      before.version + 3,
    ]);
    expect(updated.body.data).toMatchObject({
      changes: [
        { field: 'escalationLevel', old: 0, new: 1 },
        { field: 'priority', old: 'medium', new: 'critical' },
      ],
    });
    expect(assigned.body).toMatchObject({
      actor: { type: 'system', id: 'sla' },
      data: { via: 'escalation', previousAssigneeId: null, ticket: { assigneeId: agent.id } },
    });
    expect(status.body.data).toMatchObject({ from: 'open', to: 'assigned' });
    const history = await t.store.tickets.history(ticket.orgId, ticket.id);
    expect(history.filter((h) => h.actorRole === 'system').map((h) => h.field)).toEqual([
      'escalationLevel',
      'priority',
      'assigneeId',
      'status',
    ]);
  });

  it('when the reassign target is an inactive agent, then the reassignment is skipped, logged, and the rest applies', async () => {
    const { ticket, admin, agent, org } = await scene();
    const inactive = await t.user('agent', org, { active: false });
    await assign(t, admin, ticket.id, agent.id);
    const event = escalation(ticket, 1, [
      { type: 'reassign', assigneeId: inactive.id },
      { type: 'raise_priority' },
    ]);

    const after = await deliver(
      event,
      once(ticket, (x) => x.escalationLevel === 1),
      'level 1 applied',
    );

    expect(after).toMatchObject({ assigneeId: agent.id, priority: 'high' });
    const warned = await waitFor(() => logged(event.data.key, 'escalation action skipped')[0]);
    expect(warned).toMatchObject({ level: 40, action: 'reassign', ticketId: ticket.id });
    expect(String(warned.reason)).toContain(inactive.id);
  });

  it('when the ticket is closed, then the escalation changes nothing and is acked', async () => {
    const { ticket, admin } = await scene();
    await moveThrough(t, admin, ticket.id, 'resolved', 'closed');
    const before = await read(ticket);
    const event = escalation(ticket, 2, [{ type: 'raise_priority', to: 'critical' }]);

    await deliver(event, () => logged(event.data.key, 'escalation of a closed ticket ignored')[0], 'ignored');

    expect(await read(ticket)).toEqual(before);
  });

  it('when the ticket is unknown in the event org, then it is acked and logged, not retried', async () => {
    const { ticket } = await scene();
    const event = escalation({ id: ticket.id, orgId: newOrg('elsewhere') }, 1);

    await deliver(
      event,
      () => logged(event.data.key, 'escalation of an unknown ticket ignored')[0],
      'ignored',
    );

    const lines = logLines().filter((l) => l.messageId === event.id);
    expect(lines.filter((l) => l.msg === 'handler failed, will retry')).toEqual([]);
    expect((await read(ticket)).escalationLevel).toBe(0);
  });

  it('when a message breaks the schema, then it lands in tickets.escalations.dlq and changes nothing', async () => {
    const { ticket } = await scene();
    const bad = makeEnvelope({
      type: TicketEvents.Escalated,
      orgId: ticket.orgId,
      aggregateId: ticket.id,
      sequence: 1,
      actor: { type: 'system', id: 'sla' },
      data: { ticketId: ticket.id, level: 0, actions: [{ type: 'explode' }] },
    });

    await broker.publish(bad);

    // Whichever tickets process took it, the broker moved it to the one dead-letter queue.
    const letter = await deadLettered(bad.id);
    expect(letter).toMatchObject({
      routing_key: `${t.config.QUEUE_PREFIX}.escalations`,
      properties: {
        headers: {
          'x-first-death-reason': 'rejected',
          'x-first-death-queue': `${t.config.QUEUE_PREFIX}.escalations`,
        },
      },
    });
    expect((await read(ticket)).escalationLevel).toBe(0);
  });
});

interface ManagementMessage {
  routing_key: string;
  properties: { message_id?: string; headers?: Record<string, unknown> };
}

/**
 * Looks through `tickets.escalations.dlq` with the management API until the message `messageId`
 * shows up. Every message read is put back: another run of this file may be looking for its own.
 */
async function deadLettered(messageId: string): Promise<ManagementMessage> {
  const url = new URL(testServers().amqpManagementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64');
  const endpoint = `${url.protocol}//${url.host}/api/queues/%2F/${encodeURIComponent(deadLetterQueueName(`${t.config.QUEUE_PREFIX}.escalations`))}/get`;
  return waitFor(
    async () => {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 10_000, ackmode: 'ack_requeue_true', encoding: 'auto' }),
      });
      if (!res.ok) throw new Error(`management API: ${res.status}`);
      const got = (await res.json()) as ManagementMessage[];
      return got.find((m) => m.properties.message_id === messageId);
    },
    { description: `message ${messageId} dead-lettered` },
  );
}
