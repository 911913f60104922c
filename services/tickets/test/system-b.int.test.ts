import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, people } from './fixtures.ts';
import { as, collectTicketEvents, startTickets, type Tickets } from './harness.ts';

// System B's routes under /api/helpdesk/..., with its field names, map onto our use cases.
let t: Tickets;
let events: Awaited<ReturnType<typeof collectTicketEvents>>;
beforeAll(async () => {
  t = await startTickets();
  events = await collectTicketEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

describe('System B categories: /api/helpdesk/categories/{org_id}[/{pk}]', () => {
  it('when an admin creates with sla_hours, reads, lists and PUTs, then it is our category', async () => {
    const { org, admin, agent, customer } = await people(t);
    const created = expectStatus(
      await as(t, admin).post(`/api/helpdesk/categories/${org}`, { name: 'Billing', sla_hours: 12 }),
      201,
    ).body;
    expect(created).toMatchObject({ name: 'Billing', default_sla_hours: 12, is_active: true, org_id: org });

    const one = await as(t, agent).get(`/api/helpdesk/categories/${org}/${created.id}`);
    expect(expectStatus(one, 200).body).toEqual(created);
    const list = await as(t, customer).get(`/api/helpdesk/categories/${org}/`);
    expect(list.body.results.map((c: { id: string }) => c.id)).toEqual([created.id]);
    expect(list.body.results[0]).not.toHaveProperty('default_sla_hours');

    const put = await as(t, admin).put(`/api/helpdesk/categories/${org}/${created.id}/`, {
      is_active: false,
      sla_hours: 8,
    });
    expect(expectStatus(put, 200).body).toMatchObject({ is_active: false, default_sla_hours: 8 });
    expect((await as(t, admin).get(`/api/categories/${created.id}/`)).body).toMatchObject({
      is_active: false,
    });
    expectProblem(
      await as(t, agent).put(`/api/helpdesk/categories/${org}/${created.id}`, { name: 'Other' }),
      403,
      'CATEGORY_FORBIDDEN',
    );
  });

  it('when the org_id is not the caller’s, then every route answers 404 and nothing is written', async () => {
    const a = await people(t);
    const b = await people(t);
    const created = expectStatus(
      await as(t, a.admin).post(`/api/helpdesk/categories/${a.org}`, { name: 'Mine' }),
      201,
    ).body;
    expectProblem(await as(t, b.admin).get(`/api/helpdesk/categories/${a.org}`), 404, 'ORG_NOT_FOUND');
    expectProblem(
      await as(t, b.admin).get(`/api/helpdesk/categories/${a.org}/${created.id}`),
      404,
      'ORG_NOT_FOUND',
    );
    expectProblem(
      await as(t, b.admin).post(`/api/helpdesk/categories/${a.org}`, { name: 'Theirs' }),
      404,
      'ORG_NOT_FOUND',
    );
    expectProblem(
      await as(t, b.admin).put(`/api/helpdesk/categories/${a.org}/${created.id}`, { name: 'Hijacked' }),
      404,
      'ORG_NOT_FOUND',
    );
    // Their own org in the path, our category's id: still not found.
    expectProblem(
      await as(t, b.admin).get(`/api/helpdesk/categories/${b.org}/${created.id}`),
      404,
      'CATEGORY_NOT_FOUND',
    );
    expect((await as(t, a.admin).get(`/api/categories/${created.id}/`)).body.name).toBe('Mine');
  });

  it('when sla_hours and default_sla_hours disagree, then 400 names sla_hours', async () => {
    const { org, admin } = await people(t);
    const res = await as(t, admin).post(`/api/helpdesk/categories/${org}`, {
      name: 'Both',
      sla_hours: 4,
      default_sla_hours: 5,
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'sla_hours' })]);
  });
});

describe('System B tickets: /api/helpdesk/tickets/{org_id}[/{pk}]', () => {
  it('when staff open one with created_by, category_id and assigned_to, then it is created, assigned and listed', async () => {
    const { org, admin, agent, customer } = await people(t);
    const category = expectStatus(await as(t, admin).post('/api/categories/', { name: 'Network' }), 201).body;
    const created = await as(t, admin).post(`/api/helpdesk/tickets/${org}/`, {
      title: 'VPN down',
      description: 'since 9:00',
      priority: 'high',
      category_id: category.id,
      created_by: customer.id,
      assigned_to: agent.id,
    });
    expect(expectStatus(created, 201).body).toMatchObject({
      org_id: org,
      created_by: customer.id,
      assigned_to: agent.id,
      category: category.id,
      status: 'assigned',
      priority: 'high',
    });
    const id = created.body.id as string;

    const mine = await as(t, customer).get(
      `/api/helpdesk/tickets/${org}?created_by=${customer.id}&search=vpn`,
    );
    expect(mine.body.results.map((x: { id: string }) => x.id)).toEqual([id]);
    const one = await as(t, customer).get(`/api/helpdesk/tickets/${org}/${id}/`);
    expect(expectStatus(one, 200).body.id).toBe(id);
    expect(one.headers.get('etag')).toBe(`"${one.body.version}"`);
  });

  it('when a non-admin sends assigned_to on create, then 403 and no ticket exists', async () => {
    const { org, agent, otherAgent } = await people(t);
    expectProblem(
      await as(t, agent).post(`/api/helpdesk/tickets/${org}`, { title: 'x', assigned_to: otherAgent.id }),
      403,
      'TICKET_FORBIDDEN',
    );
    expect((await as(t, agent).get('/api/tickets/')).body.results).toEqual([]);
  });

  it('when a PUT changes fields, assignee and status, then it is one write with one event per change', async () => {
    const { org, admin, agent, customer } = await people(t);
    const opened = expectStatus(
      await as(t, customer).post(`/api/helpdesk/tickets/${org}`, { title: 'Old' }),
      201,
    ).body;
    const put = await as(t, admin).put(`/api/helpdesk/tickets/${org}/${opened.id}`, {
      title: 'New',
      priority: 'critical',
      assigned_to: agent.id,
      status: 'in_progress',
    });
    // updated (2), assigned (3), open → assigned (4), assigned → in_progress (5)
    expect(expectStatus(put, 200).body).toMatchObject({
      title: 'New',
      priority: 'critical',
      assigned_to: agent.id,
      status: 'in_progress',
      version: 5,
    });
    await events.waitFor((e) => e.body.aggregateId === opened.id && e.body.sequence === 5);
    const seen = events.events
      .filter((e) => e.body.aggregateId === opened.id)
      .sort((x, y) => x.body.sequence - y.body.sequence);
    expect(seen.map((e) => [e.routingKey, e.body.sequence])).toEqual([
      ['ticket.created', 1],
      ['ticket.updated', 2],
      ['ticket.assigned', 3],
      ['ticket.status_changed', 4],
      ['ticket.status_changed', 5],
    ]);

    // Sending back what was read changes nothing, even for a customer.
    const same = await as(t, customer).put(`/api/helpdesk/tickets/${org}/${opened.id}`, {
      title: 'New',
      status: 'in_progress',
      assigned_to: agent.id,
    });
    // The customer's version: opened, then the admin's PUT (one change).
    expect(expectStatus(same, 200).body.version).toBe(2);
  });

  it('when a PUT sends back a category and assignee since deactivated, then it still applies the rest', async () => {
    const { org, admin, agent, customer } = await people(t);
    const category = expectStatus(await as(t, admin).post('/api/categories/', { name: 'Legacy' }), 201).body;
    const opened = expectStatus(
      await as(t, admin).post(`/api/helpdesk/tickets/${org}`, {
        title: 'Old',
        category: category.id,
        created_by: customer.id,
        assigned_to: agent.id,
      }),
      201,
    ).body;
    expectStatus(await as(t, admin).patch(`/api/categories/${category.id}/`, { is_active: false }), 200);
    await t.store.users.record(
      {
        id: agent.id,
        orgId: org,
        username: 'gone',
        email: 'gone@example.com',
        firstName: '',
        lastName: '',
        role: 'agent',
        active: false,
      },
      99,
    );
    const put = await as(t, admin).put(`/api/helpdesk/tickets/${org}/${opened.id}`, {
      title: 'New',
      category: category.id,
      assigned_to: agent.id,
    });
    expect(expectStatus(put, 200).body).toMatchObject({
      title: 'New',
      category: category.id,
      assigned_to: agent.id,
    });
  });

  it('when one part of a PUT is refused, then nothing of it is applied', async () => {
    const { org, customer } = await people(t);
    const opened = expectStatus(
      await as(t, customer).post(`/api/helpdesk/tickets/${org}`, { title: 'Mine' }),
      201,
    ).body;
    expectProblem(
      await as(t, customer).put(`/api/helpdesk/tickets/${org}/${opened.id}`, {
        title: 'Changed',
        status: 'closed',
      }),
      403,
      'TICKET_FORBIDDEN',
    );
    const after = await as(t, customer).get(`/api/tickets/${opened.id}/`);
    expect(after.body).toMatchObject({ title: 'Mine', status: 'open', version: 1 });
  });

  it('when the org_id is not the caller’s, then 404 and nothing is written', async () => {
    const a = await people(t);
    const b = await people(t);
    const opened = expectStatus(
      await as(t, a.customer).post(`/api/helpdesk/tickets/${a.org}`, { title: 'A' }),
      201,
    ).body;
    expectProblem(await as(t, b.admin).get(`/api/helpdesk/tickets/${a.org}`), 404, 'ORG_NOT_FOUND');
    expectProblem(
      await as(t, b.admin).get(`/api/helpdesk/tickets/${a.org}/${opened.id}`),
      404,
      'ORG_NOT_FOUND',
    );
    expectProblem(
      await as(t, b.admin).post(`/api/helpdesk/tickets/${a.org}`, { title: 'B' }),
      404,
      'ORG_NOT_FOUND',
    );
    expectProblem(
      await as(t, b.admin).put(`/api/helpdesk/tickets/${a.org}/${opened.id}`, { title: 'B' }),
      404,
      'ORG_NOT_FOUND',
    );
    expectProblem(
      await as(t, b.admin).get(`/api/helpdesk/tickets/${b.org}/${opened.id}`),
      404,
      'TICKET_NOT_FOUND',
    );
    expect((await as(t, a.customer).get(`/api/tickets/${opened.id}/`)).body.title).toBe('A');
  });
});

describe('System B comments: /api/helpdesk/tickets/{ticket_id}/comments', () => {
  it('when staff post `comment` with is_internal, then customers see only the public ones', async () => {
    const { org, agent, customer } = await people(t);
    const opened = expectStatus(
      await as(t, customer).post(`/api/helpdesk/tickets/${org}`, { title: 'Help' }),
      201,
    ).body;
    const path = `/api/helpdesk/tickets/${opened.id}/comments`;
    expectStatus(await as(t, agent).post(path, { comment: 'On it' }), 201);
    const note = await as(t, agent).post(path, { comment: 'VIP customer', is_internal: true });
    expect(expectStatus(note, 201).body).toMatchObject({ is_internal: true, body: 'VIP customer' });

    const seen = await as(t, customer).get(path);
    expect(seen.body.results.map((c: { body: string }) => c.body)).toEqual(['On it']);
    const staff = await as(t, agent).get(`${path}/`);
    expect(staff.body.results.map((c: { body: string }) => c.body)).toEqual(['On it', 'VIP customer']);
    expectProblem(
      await as(t, customer).post(path, { comment: 'sneaky', is_internal: true }),
      403,
      'TICKET_FORBIDDEN',
    );
  });
});
