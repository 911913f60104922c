import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, openTicket, people } from './fixtures.ts';
import { as, startTickets, type Tickets } from './harness.ts';

// Internal notes must not be countable by customers: not through `version`, the ETag,
// `updated_at`, nor through an If-Match that fails because of them.
let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(async () => {
  await t?.close();
});

describe("a customer's view of versions", () => {
  it('when staff add internal notes, then the customer sees the same version, ETag and updated_at as before', async () => {
    const { customer, agent } = await people(t);
    const opened = await openTicket(t, customer);
    const before = expectStatus(await as(t, customer).get(`/api/tickets/${opened.id}/`), 200);
    for (const n of [1, 2, 3]) {
      const note = await as(t, agent).post(`/api/tickets/${opened.id}/comments/`, {
        body: `note ${n}`,
        is_internal: true,
      });
      expectStatus(note, 201);
    }
    const after = expectStatus(await as(t, customer).get(`/api/tickets/${opened.id}/`), 200);
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect((await as(t, agent).get(`/api/tickets/${opened.id}/`)).body.version).toBe(4);

    // Their If-Match still holds: nothing they can see has changed.
    const edit = await as(t, customer).patch(
      `/api/tickets/${opened.id}/`,
      { title: 'Printer still on fire' },
      { 'if-match': before.headers.get('etag') ?? '' },
    );
    expect(expectStatus(edit, 200).body.version).toBe(2);
    expect(edit.headers.get('etag')).toBe('"2"');
    expect((await as(t, agent).get(`/api/tickets/${opened.id}/`)).body.version).toBe(5);
  });

  it('when staff make a public change, then the customer sees the version move and a stale If-Match is refused', async () => {
    const { customer, agent } = await people(t);
    const opened = await openTicket(t, customer);
    expectStatus(await as(t, agent).post(`/api/tickets/${opened.id}/comments/`, { body: 'On it' }), 201);
    const seen = expectStatus(await as(t, customer).get(`/api/tickets/${opened.id}/`), 200).body;
    expect(seen.version).toBe(2);
    expect(Date.parse(seen.updated_at)).toBeGreaterThan(Date.parse(opened.updated_at) - 1);
    const stale = await as(t, customer).patch(
      `/api/tickets/${opened.id}/`,
      { title: 'x' },
      { 'if-match': '"1"' },
    );
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"2"');
  });
});
