import { makeEnvelope, runWithTrace, startTrace } from '@helpdesk/messaging';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketRepository, WrittenOutbox } from '../src/domain/ports.ts';
import { type HistoryEntry, newTicket, type Ticket, toSnapshot } from '../src/domain/ticket.ts';
import { counterModel, type TicketModel, ticketModel } from '../src/infra/ticket.model.ts';
import { createTicketRepository } from '../src/infra/ticket.repository.ts';

/** The stored document as the driver returns it, with nothing of mongoose in between. */
const rawTicket = (conn: Connection, id: string) => conn.collection('tickets').findOne({ _id: id as never });

const connect = async (label: string) => {
  const conn = await mongoose.createConnection(uniqueDbUrl(testServers().mongoUrl, label)).asPromise();
  const Tickets = ticketModel(conn);
  await Tickets.init();
  return { conn, Tickets, repo: createTicketRepository(Tickets, counterModel(conn)) };
};

/** A ticket with everything set that a create can set: category, assignee, tags, history, events. */
function richTicket() {
  const at = new Date('2030-02-03T04:05:06.789Z');
  const ticket: Ticket = {
    ...newTicket(
      {
        id: `t-${Date.now().toString(36)}`,
        orgId: 'org-repo',
        number: 7,
        title: 'Printer',
        requesterId: 'cust-1',
        description: 'on fire',
        categoryId: 'cat-1',
        priority: 'high',
        tags: ['printer', 'urgent'],
      },
      at,
    ),
    status: 'assigned',
    assigneeId: 'agent-1',
    version: 2,
  };
  const history: HistoryEntry[] = [
    { at, actorId: 'cust-1', actorRole: 'user', field: 'created', old: null, new: 7, internal: false },
    {
      at,
      actorId: 'rules',
      actorRole: 'system',
      field: 'assigneeId',
      old: null,
      new: 'agent-1',
      internal: false,
    },
  ];
  const event = (type: string, sequence: number) =>
    makeEnvelope({
      type,
      orgId: ticket.orgId,
      aggregateId: ticket.id,
      sequence,
      actor: { type: 'user', id: 'cust-1', role: 'user' },
      occurredAt: at,
      correlationId: 'corr-1',
      data: { ticket: toSnapshot(ticket) },
    });
  return { ticket, history, events: [event('ticket.created', 1), event('ticket.assigned', 2)] };
}

describe('ticket repository', () => {
  let a: Awaited<ReturnType<typeof connect>>;
  let b: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    [a, b] = await Promise.all([connect('tickets_repo_a'), connect('tickets_repo_b')]);
  });
  afterAll(async () => {
    for (const { conn } of [a, b]) {
      await conn?.dropDatabase();
      await conn?.close();
    }
  });

  /** What `insert` stored before it skipped mongoose documents: `Tickets.create` of the same. */
  async function createTheOldWay(
    Tickets: TicketModel,
    ticket: Ticket,
    history: HistoryEntry[],
    outbox: WrittenOutbox['outbox'],
  ) {
    const { id, ...fields } = ticket;
    await Tickets.create({ _id: id, ...fields, history, comments: [], escalations: [], outbox });
  }

  it('when a ticket is inserted, then the stored document is field for field what Tickets.create stores', async () => {
    const { ticket, history, events } = richTicket();
    // Under a request's trace, so the outbox entries carry `traceparent` and `requestId` too.
    const { outbox } = await runWithTrace(startTrace('req-1'), () => a.repo.insert(ticket, history, events));
    await createTheOldWay(b.Tickets, ticket, history, outbox);

    const [lean, created] = await Promise.all([rawTicket(a.conn, ticket.id), rawTicket(b.conn, ticket.id)]);
    expect(created).not.toBeNull();
    expect(lean).toStrictEqual(created);
    // Same order too: a document compared or hashed as BSON elsewhere must not change either.
    expect(Object.keys(lean ?? {})).toEqual(Object.keys(created ?? {}));
    expect(lean?.history.map(Object.keys)).toEqual(created?.history.map(Object.keys));
    expect(lean?.outbox.map(Object.keys)).toEqual(created?.outbox.map(Object.keys));
    expect(lean?.outbox[0]).toMatchObject({ traceparent: expect.any(String), requestId: 'req-1' });
    // What `insert` hands to the relay is exactly what it stored.
    expect(outbox).toStrictEqual(lean?.outbox);
  });

  it('when a ticket is inserted, then it reads back as the ticket that was written', async () => {
    const { ticket, history, events } = richTicket();
    await a.repo.insert({ ...ticket, id: `${ticket.id}-x`, number: 8 }, history, events);
    expect(await a.repo.find(ticket.orgId, `${ticket.id}-x`)).toEqual({
      ...ticket,
      id: `${ticket.id}-x`,
      number: 8,
    });
    expect(await a.repo.history(ticket.orgId, `${ticket.id}-x`)).toEqual(history);
  });

  it('when a change is applied, then the ticket comes back with its whole pending outbox and without its thread or history', async () => {
    const { ticket, history, events } = richTicket();
    const id = `${ticket.id}-apply`;
    const repo: TicketRepository = a.repo;
    const { outbox: inserted } = await repo.insert({ ...ticket, id, number: 9 }, history, events.slice(0, 1));
    const read = (await repo.find(ticket.orgId, id)) as Ticket;
    const commented = makeEnvelope({
      type: 'ticket.comment_added',
      orgId: ticket.orgId,
      aggregateId: id,
      sequence: read.version + 1,
      actor: { type: 'user', id: 'agent-1', role: 'agent' },
      data: {},
    });
    const sent: Array<{ method: string; args: unknown[] }> = [];
    a.conn.set(
      'debug',
      (_coll: string, method: string, ...args: unknown[]) => void sent.push({ method, args }),
    );
    const written = await repo.apply(read, {
      set: { commentCount: 1 },
      history: [{ ...(history[0] as HistoryEntry), field: 'comment', new: 'c-1' }],
      comment: {
        id: 'c-1',
        parentId: null,
        authorId: 'agent-1',
        authorRole: 'agent',
        body: 'on it',
        internal: false,
        createdAt: read.createdAt,
      },
      events: [commented],
    });
    a.conn.set('debug', false);

    expect(written?.ticket).toEqual({ ...read, commentCount: 1, version: read.version + 1 });
    // Nothing published it yet, so the ticket's earlier event is still pending and comes along.
    expect(written?.outbox.map((e) => e._id)).toEqual([...inserted.map((e) => e._id), commented.id]);
    expect(written?.outbox).toStrictEqual((await rawTicket(a.conn, id))?.outbox);
    const update = sent.find((s) => s.method === 'findOneAndUpdate');
    expect(update?.args[2]).toMatchObject({ projection: { comments: 0, history: 0, escalations: 0 } });
    expect(update?.args[2]).not.toHaveProperty('projection.outbox');
  });
});
