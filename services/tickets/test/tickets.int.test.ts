import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(async () => {
  await t?.close();
});

describe('POST /api/tickets/', () => {
  it('when a customer opens a ticket, then it gets the next number, status open and an ETag', async () => {
    const customer = await t.user('user');
    const a = await as(t, customer).post('/api/tickets/', { title: 'Printer on fire', description: 'help' });
    const b = await as(t, customer).post('/api/tickets/', { title: 'Second' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      number: 'HD-000001',
      status: 'open',
      created_by: customer.id,
      priority: 'medium',
    });
    expect(b.body.number).toBe('HD-000002');
    expect(a.headers.get('etag')).toBe('"1"');
    const read = await as(t, customer).get(`/api/tickets/${a.body.id}/`);
    expect(read.body).toEqual(a.body);
    const byKey = await as(t, customer).get('/api/tickets/HD-000001');
    expect(byKey.body.id).toBe(a.body.id);
  });
});
