import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, openTicket, people } from './fixtures.ts';
import { as, collectTicketEvents, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
let who: Awaited<ReturnType<typeof people>>;
beforeAll(async () => {
  t = await startTickets();
  who = await people(t);
});
afterAll(async () => {
  await t?.close();
});

describe('ticket numbers under concurrent creates', () => {
  it('when 50 tickets are opened at once in one org, then they get HD-000001..HD-000050, no gaps, no repeats', async () => {
    const org = await people(t);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        as(t, i % 2 ? org.customer : org.admin).post('/api/tickets/', { title: `ticket ${i}` }),
      ),
    );
    for (const r of replies) expectStatus(r, 201);
    const numbers = replies.map((r) => r.body.number).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `HD-${String(i + 1).padStart(6, '0')}`));
    const listed = expectStatus(await as(t, org.admin).get('/api/tickets/?sort=number&limit=100'), 200).body;
    expect(listed.results.map((x: { number: string }) => x.number)).toEqual(numbers);
    expect((await openTicket(t, org.customer)).number).toBe('HD-000051');
  });
});

describe('If-Match on writes', () => {
  const writes = {
    PATCH: (id: string, h: Record<string, string>) =>
      as(t, who.admin).patch(`/api/tickets/${id}/`, { title: 'new' }, h),
    status: (id: string, h: Record<string, string>) =>
      as(t, who.admin).post(`/api/tickets/${id}/status/`, { status: 'in_progress' }, h),
    assign: (id: string, h: Record<string, string>) =>
      as(t, who.admin).post(`/api/tickets/${id}/assign/`, { assigned_to: who.agent.id }, h),
  };

  it.each(Object.keys(writes) as (keyof typeof writes)[])(
    'when %s names a version that is no longer current, then it is 412 with the current ETag and nothing changes',
    async (write) => {
      const created = await openTicket(t, who.customer);
      await as(t, who.admin).patch(`/api/tickets/${created.id}/`, { description: 'someone else was here' });
      const before = (await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body;
      const reply = await writes[write](created.id, { 'if-match': '"1"' });
      expectProblem(reply, 412, 'TICKET_VERSION_STALE');
      expect(reply.headers.get('etag')).toBe('"2"');
      expect(reply.body.currentVersion).toBe(2);
      expect((await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body).toEqual(before);
    },
  );

  it.each(Object.keys(writes) as (keyof typeof writes)[])(
    'when %s names the current version, then it applies and answers the new ETag',
    async (write) => {
      const created = await openTicket(t, who.customer);
      const reply = expectStatus(
        await writes[write](created.id, { 'if-match': created.version.toString() }),
        200,
      );
      expect(reply.body.version).toBeGreaterThan(created.version);
      expect(reply.headers.get('etag')).toBe(`"${reply.body.version}"`);
    },
  );

  it('when If-Match is not an ETag, then it is a 400 rather than a write over any version', async () => {
    const created = await openTicket(t, who.customer);
    const reply = await as(t, who.admin).patch(
      `/api/tickets/${created.id}/`,
      { title: 'x' },
      { 'if-match': 'yesterday' },
    );
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect((await as(t, who.admin).get(`/api/tickets/${created.id}/`)).body.version).toBe(1);
  });

  it('when If-Match is given for a ticket the caller may not see, then it is 404, not 412', async () => {
    const created = await openTicket(t, who.customer);
    const reply = await as(t, who.otherCustomer).patch(
      `/api/tickets/${created.id}/`,
      { title: 'x' },
      { 'if-match': '"9"' },
    );
    expectProblem(reply, 404, 'TICKET_NOT_FOUND');
  });
});

describe('concurrent writes without If-Match', () => {
  it('when four edits of different fields race, then all four apply, each with its own version, history and event', async () => {
    const events = await collectTicketEvents();
    try {
      const created = await openTicket(t, who.customer);
      const path = `/api/tickets/${created.id}/`;
      const replies = await Promise.all([
        as(t, who.admin).patch(path, { title: 'raced title' }),
        as(t, who.agent).patch(path, { description: 'raced description' }),
        as(t, who.admin).patch(path, { priority: 'critical' }),
        as(t, who.agent).patch(path, { tags: ['raced'] }),
      ]);
      for (const r of replies) expectStatus(r, 200);
      expect(replies.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5]);
      const after = (await as(t, who.admin).get(path)).body;
      expect(after).toMatchObject({
        title: 'raced title',
        description: 'raced description',
        priority: 'critical',
        tags: ['raced'],
        version: 5,
      });
      const history = (await as(t, who.admin).get(`${path}history/`)).body.results;
      expect(history.map((h: { field: string }) => h.field).sort()).toEqual([
        'created',
        'description',
        'priority',
        'tags',
        'title',
      ]);
      await events.waitFor((e) => e.body.aggregateId === created.id && e.body.sequence === 5);
      const seqs = events.events.filter((e) => e.body.aggregateId === created.id).map((e) => e.body.sequence);
      expect(seqs).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await events.close();
    }
  });
});

describe('If-None-Match on reads', () => {
  it('when the client has the current version, then it is 304 with the ETag and no body; otherwise 200', async () => {
    const created = await openTicket(t, who.customer);
    const path = `/api/tickets/${created.id}/`;
    const fresh = await as(t, who.customer).get(path, { 'if-none-match': '"1"' });
    expect(fresh.status).toBe(304);
    expect(fresh.body).toBeUndefined();
    expect(fresh.headers.get('etag')).toBe('"1"');
    await as(t, who.customer).patch(path, { title: 'changed' });
    const stale = await as(t, who.customer).get(path, { 'if-none-match': '"1"' });
    expect(expectStatus(stale, 200).body.title).toBe('changed');
    expect(stale.headers.get('etag')).toBe('"2"');
  });

  it('when someone who may not see the ticket sends its ETag, then it is still 404', async () => {
    const created = await openTicket(t, who.customer);
    const reply = await as(t, who.otherCustomer).get(`/api/tickets/${created.id}/`, {
      'if-none-match': '"1"',
    });
    expectProblem(reply, 404, 'TICKET_NOT_FOUND');
  });
});
