import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, moveThrough, openTicket, people } from './fixtures.ts';
import { as, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
let who: Awaited<ReturnType<typeof people>>;
let now = new Date('2030-05-01T08:00:00.000Z');
const advance = () => {
  now = new Date(now.getTime() + 60_000);
};

beforeAll(async () => {
  t = await startTickets({}, { clock: () => now });
  who = await people(t);
});
afterAll(async () => {
  await t?.close();
});

/** Adds entries to the stored history directly, as a change elsewhere (an internal note) would. */
async function pushHistory(id: string, entries: Array<{ field: string; internal: boolean; new?: unknown }>) {
  const history = entries.map((e) => ({
    at: now,
    actorId: who.agent.id,
    actorRole: 'agent',
    old: null,
    new: null,
    ...e,
  }));
  await t.store.models.tickets.updateOne({ _id: id }, { $push: { history: { $each: history } } });
}

describe('GET /api/tickets/{id}/history/', () => {
  it('when a ticket went through changes, then every change is listed oldest first with who, when, old and new', async () => {
    const created = await openTicket(t, who.customer);
    const createdAt = now.toISOString();
    advance();
    await as(t, who.customer).patch(`/api/tickets/${created.id}/`, { title: 'Printer still on fire' });
    advance();
    await as(t, who.admin).post(`/api/tickets/${created.id}/assign/`, { assigned_to: who.agent.id });
    advance();
    await moveThrough(t, who.agent, created.id, 'resolved');
    const resolvedAt = now.toISOString();

    for (const path of [`/api/tickets/${created.id}/history/`, `/api/tickets/${created.number}/history`]) {
      const reply = expectStatus(await as(t, who.customer).get(path), 200);
      expect(reply.body.next).toBeNull();
      expect(reply.body.results).toEqual([
        {
          field: 'created',
          old: null,
          new: 'HD-000001',
          actor: who.customer.id,
          actor_role: 'user',
          at: createdAt,
          internal: false,
        },
        {
          field: 'title',
          old: 'Printer on fire',
          new: 'Printer still on fire',
          actor: who.customer.id,
          actor_role: 'user',
          at: '2030-05-01T08:01:00.000Z',
          internal: false,
        },
        {
          field: 'assigned_to',
          old: null,
          new: who.agent.id,
          actor: who.admin.id,
          actor_role: 'admin',
          at: '2030-05-01T08:02:00.000Z',
          internal: false,
        },
        {
          field: 'status',
          old: 'open',
          new: 'assigned',
          actor: who.admin.id,
          actor_role: 'admin',
          at: '2030-05-01T08:02:00.000Z',
          internal: false,
        },
        {
          field: 'status',
          old: 'assigned',
          new: 'resolved',
          actor: who.agent.id,
          actor_role: 'agent',
          at: resolvedAt,
          internal: false,
        },
        {
          field: 'resolved_at',
          old: null,
          new: resolvedAt,
          actor: who.agent.id,
          actor_role: 'agent',
          at: resolvedAt,
          internal: false,
        },
      ]);
    }
  });

  it('when a customer reads the history, then entries from internal notes are left out; staff see them', async () => {
    const created = await openTicket(t, who.customer);
    await pushHistory(created.id, [
      { field: 'internal_note', internal: true },
      { field: 'public_comment', internal: false },
    ]);
    const fields = async (u: typeof who.customer) =>
      expectStatus(await as(t, u).get(`/api/tickets/${created.id}/history/`), 200).body.results.map(
        (h: { field: string }) => h.field,
      );
    expect(await fields(who.customer)).toEqual(['created', 'public_comment']);
    expect(await fields(who.agent)).toEqual(['created', 'internal_note', 'public_comment']);
    expect(await fields(who.admin)).toEqual(['created', 'internal_note', 'public_comment']);
  });

  it('when a long history is paged, then every visible entry comes once in order and the limit is clamped to 100', async () => {
    const created = await openTicket(t, who.customer);
    await pushHistory(
      created.id,
      Array.from({ length: 130 }, (_, i) => ({ field: `f${i}`, new: i, internal: i % 10 === 0 })),
    );
    const walk = async (u: typeof who.customer, limit: number) => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = expectStatus(
          await as(t, u).get(`/api/tickets/${created.id}/history/?${query}`),
          200,
        ).body;
        seen.push(...page.results.map((h: { field: string }) => h.field));
        sizes.push(page.results.length);
        cursor = page.next;
      } while (cursor && sizes.length < 20);
      return { seen, sizes };
    };
    const all = ['created', ...Array.from({ length: 130 }, (_, i) => `f${i}`)];
    const staff = await walk(who.admin, 1000);
    expect(staff.sizes).toEqual([100, 31]);
    expect(staff.seen).toEqual(all);
    const customer = await walk(who.customer, 40);
    expect(customer.sizes).toEqual([40, 40, 38]);
    expect(customer.seen).toEqual(all.filter((f) => !/^f\d*0$/.test(f)));
  });

  it('when internal entries sit between public ones, then the customer gets the same pages and cursors as on a history without them', async () => {
    const withNotes = await openTicket(t, who.customer);
    const without = await openTicket(t, who.customer);
    const entries = [
      { field: 'p1', internal: false },
      { field: 'n1', internal: true },
      { field: 'n2', internal: true },
      { field: 'p2', internal: false },
      { field: 'p3', internal: false },
    ];
    await pushHistory(withNotes.id, entries);
    await pushHistory(
      without.id,
      entries.filter((e) => !e.internal),
    );
    /** Every page as the customer reads it: the fields and the `next` that came with them. */
    const walk = async (id: string, limit: number) => {
      const pages: { fields: string[]; next: string | null }[] = [];
      let cursor: string | null = '';
      while (cursor !== null && pages.length < 10) {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = expectStatus(
          await as(t, who.customer).get(`/api/tickets/${id}/history/?limit=${limit}${q}`),
          200,
        ).body;
        pages.push({ fields: page.results.map((h: { field: string }) => h.field), next: page.next });
        cursor = page.next;
      }
      return pages;
    };
    for (const limit of [1, 2]) {
      const seen = await walk(withNotes.id, limit);
      expect(seen.flatMap((p) => p.fields)).toEqual(['created', 'p1', 'p2', 'p3']);
      expect(seen).toEqual(await walk(without.id, limit));
    }
  });

  it('when the caller may not see the ticket, then the history does not exist for them', async () => {
    const created = await openTicket(t, who.customer);
    expectProblem(
      await as(t, who.otherCustomer).get(`/api/tickets/${created.id}/history/`),
      404,
      'TICKET_NOT_FOUND',
    );
    expectProblem(await as(t, undefined).get(`/api/tickets/${created.id}/history/`), 401, 'AUTH_REQUIRED');
    expectProblem(await as(t, who.admin).get('/api/tickets/HD-999999/history/'), 404, 'TICKET_NOT_FOUND');
  });

  it.each([
    'garbage',
    Buffer.from('{"p":-3}').toString('base64url'),
    Buffer.from('{"p":"1"}').toString('base64url'),
  ])('when the cursor is forged (%s), then it is a 400 on cursor', async (cursor) => {
    const created = await openTicket(t, who.customer);
    const reply = await as(t, who.admin).get(`/api/tickets/${created.id}/history/?cursor=${cursor}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors[0].path).toBe('cursor');
  });
});
