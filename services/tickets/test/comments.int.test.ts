import {
  TicketCommentAddedEventSchema,
  TicketEvents,
  TicketStatusChangedEventSchema,
} from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, collectTicketEvents, type Reply, startTickets, type TestUser, type Tickets } from './harness.ts';

const MAX_COMMENTS = 6;
let t: Tickets;
let events: EventCollector;
/** Every reading of the service's clock is a second later, so no two timestamps tie. */
let ticks = 0;
const clock = () => new Date(Date.UTC(2030, 0, 1) + ++ticks * 1000);

beforeAll(async () => {
  t = await startTickets({ MAX_COMMENTS_PER_TICKET: String(MAX_COMMENTS) }, { clock });
  events = await collectTicketEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

function expectStatus(reply: Reply, status: number): Reply {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status });
  return reply;
}

function expectProblem(reply: Reply, status: number, code: string): Reply {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return reply;
}

/** A customer, two agents and an admin of a fresh org. */
async function org() {
  const orgId = `org-c-${Date.now().toString(36)}-${ticks}`;
  const [customer, agent, otherAgent, admin] = await Promise.all([
    t.user('user', orgId),
    t.user('agent', orgId),
    t.user('agent', orgId),
    t.user('admin', orgId),
  ]);
  return { customer, agent, otherAgent, admin };
}

async function openTicket(who: TestUser): Promise<string> {
  return expectStatus(await as(t, who).post('/api/tickets/', { title: 'VPN drops every hour' }), 201).body.id;
}

const comment = (
  who: TestUser,
  id: string,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
) => as(t, who).post(`/api/tickets/${id}/comments/`, body, headers);

const thread = async (who: TestUser, id: string) =>
  expectStatus(await as(t, who).get(`/api/tickets/${id}/comments/`), 200).body.results;

const ticket = async (who: TestUser, id: string) =>
  expectStatus(await as(t, who).get(`/api/tickets/${id}/`), 200).body;

const setStatus = async (who: TestUser, id: string, ...statuses: string[]) => {
  for (const status of statuses)
    expectStatus(await as(t, who).post(`/api/tickets/${id}/status/`, { status }), 200);
};

/** The events of ticket `id` once the one with `sequence` has arrived, in sequence order. */
async function eventsOf(id: string, sequence: number) {
  await events.waitFor((e) => e.body.aggregateId === id && e.body.sequence === sequence);
  return events.events
    .filter((e) => e.body.aggregateId === id)
    .sort((a, b) => a.body.sequence - b.body.sequence);
}

describe('POST /api/tickets/{id}/comments/', () => {
  it('when a customer comments on their own ticket, then the comment is stored, listed and counted', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const added = expectStatus(
      await comment(customer, id, { body: 'Still broken after a reboot.' }),
      201,
    ).body;
    expect(added).toMatchObject({
      ticket_id: id,
      parent_id: null,
      author: customer.id,
      author_role: 'user',
      body: 'Still broken after a reboot.',
      is_internal: false,
      attachments: [],
    });
    // System A and B send the text as `comment`, and call the path without the trailing slash.
    expectStatus(
      await as(t, customer).post(`/api/tickets/${id}/comments`, { comment: 'And again today.' }),
      201,
    );
    const listed = expectStatus(await as(t, customer).get(`/api/tickets/${id}/comments`), 200).body;
    expect(listed.results.map((c: { body: string }) => c.body)).toEqual([
      'Still broken after a reboot.',
      'And again today.',
    ]);
    expect(listed.results[0]).toEqual(added);
    expect(listed.next).toBeNull();
    expect((await ticket(customer, id)).comment_count).toBe(2);
  });

  it('when the text is missing, blank, too long or given twice, then 400 names the field', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    for (const body of [{}, { body: '   ' }, { body: 'x'.repeat(10_001) }, { body: 'a', comment: 'b' }]) {
      const reply = expectProblem(await comment(customer, id, body), 400, 'VALIDATION_FAILED');
      expect(reply.body.errors[0].path).toBe('body');
    }
    expectStatus(await comment(customer, id, { body: 'x'.repeat(10_000) }), 201);
    expectProblem(await comment(customer, id, { body: 'hi', author: 'someone' }), 400, 'VALIDATION_FAILED');
  });

  it('when an agent adds an internal note, then the customer sees it nowhere: not listed, not counted, not in events for them', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    expectStatus(await comment(customer, id, { body: 'Any news?' }), 201);
    const note = expectStatus(
      await comment(agent, id, { body: 'Probably the firewall.', is_internal: true }),
      201,
    );
    expect(note.body.is_internal).toBe(true);

    expect((await thread(customer, id)).map((c: { body: string }) => c.body)).toEqual(['Any news?']);
    expect((await thread(agent, id)).map((c: { is_internal: boolean }) => c.is_internal)).toEqual([
      false,
      true,
    ]);
    expect((await ticket(customer, id)).comment_count).toBe(1);
    expect((await ticket(agent, id)).comment_count).toBe(2);

    const noteEvent = (await eventsOf(id, 3)).find((e) => e.body.sequence === 3);
    const parsed = TicketCommentAddedEventSchema.parse(noteEvent?.body);
    expect(parsed.data.comment).toMatchObject({
      id: note.body.id,
      visibility: 'internal',
      authorRole: 'agent',
    });
    expect(parsed.data.ticket.publicCommentCount).toBe(1);
    expect(parsed.data.firstResponse).toBe(false);
    const history = await t.deps.tickets.history(customer.orgId, id);
    expect(history.find((h) => h.field === 'comment' && h.new === note.body.id)?.internal).toBe(true);
  });

  it('when a customer tries to write an internal note, then 403 and nothing is added', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    expectProblem(await comment(customer, id, { body: 'psst', is_internal: true }), 403, 'TICKET_FORBIDDEN');
    expect(await t.deps.tickets.comments(customer.orgId, id)).toEqual([]);
  });

  it('when someone who may not see the ticket comments or lists, then 404 as if it did not exist', async () => {
    const { customer, agent, otherAgent, admin } = await org();
    const id = await openTicket(customer);
    expectStatus(await as(t, admin).post(`/api/tickets/${id}/assign/`, { assigned_to: agent.id }), 200);
    const stranger = await t.user('user', customer.orgId);
    const orgB = await t.user('admin');
    for (const who of [otherAgent, stranger, orgB]) {
      expectProblem(await comment(who, id, { body: 'hello' }), 404, 'TICKET_NOT_FOUND');
      expectProblem(await as(t, who).get(`/api/tickets/${id}/comments/`), 404, 'TICKET_NOT_FOUND');
    }
    expectStatus(await comment(agent, id, { body: 'On it.' }), 201);
    expectStatus(await comment(admin, id, { body: 'Thanks.' }), 201);
    expect(await t.deps.tickets.comments(customer.orgId, id)).toHaveLength(2);
  });

  it('when staff reply publicly for the first time, then first_response_at is set once, by that reply only', async () => {
    const { customer, agent, admin } = await org();
    const id = await openTicket(customer);
    expectStatus(await comment(customer, id, { body: 'Hello?' }), 201);
    expectStatus(await comment(agent, id, { body: 'Looking', is_internal: true }), 201);
    expect((await ticket(customer, id)).first_response_at).toBeNull();

    const first = expectStatus(await comment(agent, id, { body: 'We are on it.' }), 201).body;
    const afterFirst = await ticket(customer, id);
    expect(afterFirst.first_response_at).toBe(first.created_at);
    expect(afterFirst.first_response_seconds).toBeGreaterThan(0);
    expectStatus(await comment(admin, id, { body: 'Update: fixed upstream.' }), 201);
    expect((await ticket(customer, id)).first_response_at).toBe(first.created_at);

    const added = (await eventsOf(id, 5)).filter((e) => e.routingKey === TicketEvents.CommentAdded);
    expect(added.map((e) => TicketCommentAddedEventSchema.parse(e.body).data.firstResponse)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('when the requester comments on a resolved ticket, then it reopens, published after the comment', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    await setStatus(agent, id, 'resolved');
    const reply = expectStatus(await comment(customer, id, { body: 'No, it is not fixed.' }), 201).body;
    const after = await ticket(customer, id);
    // Customers count changes, not events: opened, resolved, their reply (which reopened it).
    expect(after).toMatchObject({ status: 'open', reopen_count: 1, resolved_at: null, version: 3 });

    const [commented, reopened] = (await eventsOf(id, 4)).slice(-2);
    expect(commented?.routingKey).toBe(TicketEvents.CommentAdded);
    expect(commented?.body.sequence).toBe(3);
    expect(TicketCommentAddedEventSchema.parse(commented?.body).data.comment.id).toBe(reply.id);
    expect(reopened?.routingKey).toBe(TicketEvents.StatusChanged);
    expect(reopened?.body.sequence).toBe(4);
    expect(TicketStatusChangedEventSchema.parse(reopened?.body).data).toMatchObject({
      from: 'resolved',
      to: 'open',
      reopened: true,
    });
  });

  it('when staff comment on a resolved ticket, then it stays resolved', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    await setStatus(agent, id, 'resolved');
    expectStatus(await comment(agent, id, { body: 'Closing this soon.' }), 201);
    expect(await ticket(customer, id)).toMatchObject({ status: 'resolved', reopen_count: 0 });
  });

  it('when the requester answers a pending ticket, then it goes back to in_progress if assigned, else open', async () => {
    const { customer, agent, admin } = await org();
    const assigned = await openTicket(customer);
    expectStatus(await as(t, admin).post(`/api/tickets/${assigned}/assign/`, { assigned_to: agent.id }), 200);
    await setStatus(agent, assigned, 'pending');
    expectStatus(await comment(customer, assigned, { body: 'Here are the logs.' }), 201);
    expect((await ticket(customer, assigned)).status).toBe('in_progress');

    const unassigned = await openTicket(customer);
    await setStatus(agent, unassigned, 'pending');
    expectStatus(await comment(agent, unassigned, { body: 'Still waiting for you.' }), 201);
    expect((await ticket(customer, unassigned)).status).toBe('pending');
    expectStatus(await comment(customer, unassigned, { body: 'Here they are.' }), 201);
    expect((await ticket(customer, unassigned)).status).toBe('open');
  });

  it('when the ticket is closed or cancelled, then 409 TICKET_CLOSED and nothing is added', async () => {
    const { customer, agent } = await org();
    const closed = await openTicket(customer);
    await setStatus(agent, closed, 'resolved', 'closed');
    const cancelled = await openTicket(customer);
    await setStatus(agent, cancelled, 'cancelled');
    for (const id of [closed, cancelled]) {
      expectProblem(await comment(customer, id, { body: 'Hello?' }), 409, 'TICKET_CLOSED');
      expectProblem(await comment(agent, id, { body: 'Note', is_internal: true }), 409, 'TICKET_CLOSED');
      expect(await t.deps.tickets.comments(customer.orgId, id)).toEqual([]);
    }
  });

  it('when a ticket has reached the comment limit, then 409 TICKET_COMMENT_LIMIT', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    for (let i = 0; i < MAX_COMMENTS; i++) expectStatus(await comment(customer, id, { body: `#${i}` }), 201);
    expectProblem(await comment(customer, id, { body: 'one more' }), 409, 'TICKET_COMMENT_LIMIT');
    expect(await t.deps.tickets.comments(customer.orgId, id)).toHaveLength(MAX_COMMENTS);
  });

  it('when If-Match names an older version, then 412 and nothing is added', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    expectProblem(
      await comment(customer, id, { body: 'a' }, { 'if-match': '"7"' }),
      412,
      'TICKET_VERSION_STALE',
    );
    expectStatus(await comment(customer, id, { body: 'b' }, { 'if-match': '"1"' }), 201);
    expect((await thread(customer, id)).map((c: { body: string }) => c.body)).toEqual(['b']);
  });

  it('when a POST is repeated with the same Idempotency-Key, then one comment is added and the first answer replayed', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const key = { 'idempotency-key': `k-${id}` };
    const first = expectStatus(await comment(customer, id, { body: 'Only once' }, key), 201);
    const again = expectStatus(await comment(customer, id, { body: 'Only once' }, key), 201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await t.deps.tickets.comments(customer.orgId, id)).toHaveLength(1);
  });
});

describe('threaded replies (parent_id)', () => {
  it('when a reply names a comment of the ticket, then it is stored under it', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    const question = expectStatus(await comment(agent, id, { body: 'Which VPN client?' }), 201).body;
    const answer = expectStatus(
      await comment(customer, id, { body: 'Cisco', parent_id: question.id }),
      201,
    ).body;
    expect(answer.parent_id).toBe(question.id);
    expect((await thread(agent, id))[1]).toMatchObject({ id: answer.id, parent_id: question.id });
  });

  it('when the parent is unknown, on another ticket, or an internal note the replier may not see or answer publicly, then 400', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    const other = await openTicket(customer);
    const elsewhere = expectStatus(await comment(customer, other, { body: 'elsewhere' }), 201).body;
    const note = expectStatus(await comment(agent, id, { body: 'internal', is_internal: true }), 201).body;
    const cases: [TestUser, Record<string, unknown>][] = [
      [customer, { body: 'r', parent_id: 'no-such-comment' }],
      [customer, { body: 'r', parent_id: elsewhere.id }],
      [customer, { body: 'r', parent_id: note.id }],
      [agent, { body: 'r', parent_id: note.id }],
    ];
    for (const [who, body] of cases) {
      const reply = expectProblem(await comment(who, id, body), 400, 'VALIDATION_FAILED');
      expect(reply.body.errors[0].path).toBe('parent_id');
    }
    // The customer's refusal reads like a missing comment: it does not reveal that the note exists.
    const [unknown, , hidden] = await Promise.all(
      cases.slice(0, 3).map(([who, body]) => comment(who, id, body)),
    );
    expect(hidden?.body.errors).toEqual(unknown?.body.errors);
    const internalReply = expectStatus(
      await comment(agent, id, { body: 'r', parent_id: note.id, is_internal: true }),
      201,
    );
    expect(internalReply.body.parent_id).toBe(note.id);
    expect(await t.deps.tickets.comments(customer.orgId, id)).toHaveLength(2);
  });
});

describe('GET /api/tickets/{id}/comments/', () => {
  it('when the thread is longer than a page, then pages follow `next` oldest first, and skip internal notes for customers', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    for (const [who, body, internal] of [
      [customer, 'c1', false],
      [agent, 'n1', true],
      [agent, 'a1', false],
      [agent, 'n2', true],
      [customer, 'c2', false],
    ] as const) {
      expectStatus(await comment(who, id, { body, is_internal: internal }), 201);
    }
    const pages = async (who: TestUser) => {
      const seen: string[][] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = expectStatus(await as(t, who).get(`/api/tickets/${id}/comments/?limit=2${q}`), 200).body;
        seen.push(page.results.map((c: { body: string }) => c.body));
        cursor = page.next;
      }
      return seen;
    };
    expect(await pages(customer)).toEqual([['c1', 'a1'], ['c2']]);
    expect(await pages(agent)).toEqual([['c1', 'n1'], ['a1', 'n2'], ['c2']]);
    expectProblem(
      await as(t, customer).get(`/api/tickets/${id}/comments/?cursor=bogus`),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('when internal notes sit between public comments, then the customer gets the same pages and cursors as on a thread without them', async () => {
    const { customer, agent } = await org();
    const withNotes = await openTicket(customer);
    const without = await openTicket(customer);
    for (const [body, internal] of [
      ['p1', false],
      ['n1', true],
      ['n2', true],
      ['p2', false],
      ['p3', false],
    ] as const) {
      expectStatus(await comment(agent, withNotes, { body, is_internal: internal }), 201);
      if (!internal) expectStatus(await comment(agent, without, { body }), 201);
    }
    /** Every page as the customer reads it: the bodies and the `next` that came with them. */
    const walk = async (id: string, limit: number) => {
      const pages: { bodies: string[]; next: string | null }[] = [];
      let cursor: string | null = '';
      while (cursor !== null && pages.length < 10) {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = expectStatus(
          await as(t, customer).get(`/api/tickets/${id}/comments/?limit=${limit}${q}`),
          200,
        ).body;
        pages.push({ bodies: page.results.map((c: { body: string }) => c.body), next: page.next });
        cursor = page.next;
      }
      return pages;
    };
    for (const limit of [1, 2]) {
      const seen = await walk(withNotes, limit);
      expect(seen.flatMap((p) => p.bodies)).toEqual(['p1', 'p2', 'p3']);
      expect(seen).toEqual(await walk(without, limit));
    }
  });
});
