import {
  CategoryCreatedEventSchema,
  CategoryEvents,
  CategoryUpdatedEventSchema,
  type Envelope,
} from '@helpdesk/contracts';
import { PENDING_OUTBOX_FILTER } from '@helpdesk/messaging';
import { collectEvents, type EventCollector, testServers, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, newOrg, openTicket, people } from './fixtures.ts';
import { as, startTickets, type TestUser, type Tickets } from './harness.ts';

let t: Tickets;
let events: EventCollector;
let who: Awaited<ReturnType<typeof people>>;

beforeAll(async () => {
  t = await startTickets();
  events = await collectEvents(testServers().amqpUrl, Object.values(CategoryEvents));
  who = await people(t);
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

let names = 0;
const uniqueName = (label = 'Billing') => `${label} ${names++}`;

// biome-ignore lint/suspicious/noExplicitAny: category DTOs are asserted field by field
async function addCategory(admin: TestUser, body: Record<string, unknown> = {}): Promise<any> {
  const reply = await as(t, admin).post('/api/categories/', { name: uniqueName(), ...body });
  return expectStatus(reply, 201).body;
}

const eventOf = (type: string, id: string, sequence: number) =>
  events.waitFor((e) => e.routingKey === type && e.body.aggregateId === id && e.body.sequence === sequence);

describe('POST /api/categories/', () => {
  it('when an admin adds a category, then it is stored and `category.created` carries it', async () => {
    const reply = await as(t, who.admin).post('/api/categories/', {
      name: 'Hardware',
      description: 'Printers, screens',
      default_sla_hours: 48,
    });
    const created = expectStatus(reply, 201).body;
    expect(created).toEqual({
      id: expect.any(String),
      org_id: who.org,
      name: 'Hardware',
      description: 'Printers, screens',
      default_sla_hours: 48,
      is_active: true,
      created_at: expect.any(String),
      updated_at: created.created_at,
    });
    expect(reply.headers.get('location')).toBe(`/api/categories/${created.id}/`);
    expect((await as(t, who.admin).get(`/api/categories/${created.id}/`)).body).toEqual(created);

    const event = CategoryCreatedEventSchema.parse((await eventOf('category.created', created.id, 1)).body);
    expect(event).toMatchObject({
      orgId: who.org,
      actor: { type: 'user', id: who.admin.id, role: 'admin' },
      data: {
        category: {
          id: created.id,
          orgId: who.org,
          name: 'Hardware',
          defaultSlaHours: 48,
          active: true,
          version: 1,
          createdAt: created.created_at,
        },
      },
    });
    await waitFor(
      async () =>
        (await t.store.models.categories.countDocuments({ _id: created.id, ...PENDING_OUTBOX_FILTER })) === 0,
      { description: 'the outbox of the category emptied' },
    );
  });

  it('when the name is taken in any letter case, then 409 CATEGORY_NAME_TAKEN; another org may use it', async () => {
    const name = uniqueName('Network');
    await addCategory(who.admin, { name });
    const again = await as(t, who.admin).post('/api/categories', { name: `  ${name.toUpperCase()} ` });
    expectProblem(again, 409, 'CATEGORY_NAME_TAKEN');
    expect(again.body.errors).toEqual([{ path: 'name', message: expect.any(String) }]);
    const list = await as(t, who.admin).get('/api/categories/?limit=100');
    expect(
      list.body.results.filter((c: { name: string }) => c.name.toLowerCase() === name.toLowerCase()),
    ).toHaveLength(1);

    const otherAdmin = await t.user('admin', newOrg('b'));
    await addCategory(otherAdmin, { name });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'A', default_sla_hours: 0 }, 'default_sla_hours'],
    [{ name: 'A', default_sla_hours: -4 }, 'default_sla_hours'],
    [{ name: 'A', default_sla_hours: 8761 }, 'default_sla_hours'],
    [{ name: 'A', default_sla_hours: '24' }, 'default_sla_hours'],
    [{ name: 'A', is_active: 'yes' }, 'is_active'],
    [{ name: 'A', org_id: 'other' }, 'org_id'],
    [{ description: 'no name' }, 'name'],
  ])('when the body is %j, then 400 names `%s`', async (body, field) => {
    const reply = await as(t, who.admin).post('/api/categories/', body);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('when an agent or a customer adds a category, then 403 and nothing is stored', async () => {
    const name = uniqueName('Forbidden');
    for (const caller of [who.agent, who.customer]) {
      expectProblem(await as(t, caller).post('/api/categories/', { name }), 403, 'CATEGORY_FORBIDDEN');
    }
    expect(await t.store.models.categories.countDocuments({ orgId: who.org, name })).toBe(0);
  });

  it('when optional fields are left out or null, then the defaults are stored; fractional hours are kept', async () => {
    const created = await addCategory(who.admin, { default_sla_hours: 0.5 });
    expect(created).toMatchObject({ description: '', default_sla_hours: 0.5, is_active: true });
    const noSla = await addCategory(who.admin, { default_sla_hours: null, is_active: false });
    expect(noSla).toMatchObject({ default_sla_hours: null, is_active: false });
  });
});

describe('GET /api/categories/', () => {
  let org: Awaited<ReturnType<typeof people>>;
  // biome-ignore lint/suspicious/noExplicitAny: category DTOs
  let active: any;
  // biome-ignore lint/suspicious/noExplicitAny: category DTOs
  let inactive: any;
  beforeAll(async () => {
    org = await people(t);
    active = await addCategory(org.admin, { name: 'Alpha', default_sla_hours: 8 });
    inactive = await addCategory(org.admin, { name: 'beta', is_active: false });
  });

  it('when staff list, then they see every category by name with its SLA target', async () => {
    for (const staff of [org.admin, org.agent]) {
      const reply = expectStatus(await as(t, staff).get('/api/categories/'), 200);
      expect(reply.body).toEqual({ results: [active, inactive], next: null });
    }
  });

  it('when a customer lists, then they see the active categories only, without the SLA target', async () => {
    const reply = expectStatus(await as(t, org.customer).get('/api/categories'), 200);
    const { default_sla_hours: _hidden, ...reduced } = active;
    expect(reply.body).toEqual({ results: [reduced], next: null });
    const inactiveOnly = await as(t, org.customer).get('/api/categories/?is_active=false');
    expect(inactiveOnly.body).toEqual({ results: [], next: null });
  });

  it('when staff filter on is_active, then only those come back', async () => {
    const on = await as(t, org.agent).get('/api/categories/?is_active=true');
    const off = await as(t, org.agent).get('/api/categories/?is_active=false');
    expect(on.body.results.map((c: { id: string }) => c.id)).toEqual([active.id]);
    expect(off.body.results.map((c: { id: string }) => c.id)).toEqual([inactive.id]);
    expectProblem(await as(t, org.agent).get('/api/categories/?is_active=maybe'), 400, 'VALIDATION_FAILED');
  });

  it('when another org lists, then it sees none of these', async () => {
    const stranger = await t.user('admin', newOrg('b'));
    const reply = await as(t, stranger).get('/api/categories/');
    expect(reply.body.results.map((c: { id: string }) => c.id)).not.toContain(active.id);
  });

  it('when there are more than a page, then the cursor walks them all once, by name, and limit is clamped', async () => {
    const admin = await t.user('admin', newOrg('paged'));
    const made = [];
    for (let i = 0; i < 102; i++)
      made.push(await addCategory(admin, { name: `Cat ${String(i).padStart(3, '0')}` }));
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await as(t, admin).get(`/api/categories/?limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      expectStatus(page, 200);
      seen.push(...page.body.results.map((c: { name: string }) => c.name));
      cursor = page.body.next;
    }
    expect(seen).toEqual(made.map((c) => c.name));
    const clamped = await as(t, admin).get('/api/categories/?limit=1000');
    expect(clamped.body.results).toHaveLength(100);
    expect(clamped.body.next).toEqual(expect.any(String));
    const bad = await as(t, admin).get('/api/categories/?cursor=bm90LWEtY3Vyc29y');
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors[0].path).toBe('cursor');
  });

  it('when nobody signs in, then 401', async () => {
    expect((await as(t, undefined).get('/api/categories/')).status).toBe(401);
  });
});

describe('GET /api/categories/{id}/', () => {
  it('when a customer reads an active category, then they get it without the SLA target; an inactive one is 404', async () => {
    const active = await addCategory(who.admin, { default_sla_hours: 4 });
    const inactive = await addCategory(who.admin, { is_active: false });
    const read = expectStatus(await as(t, who.customer).get(`/api/categories/${active.id}`), 200);
    expect(read.body).not.toHaveProperty('default_sla_hours');
    expect(read.body).toMatchObject({ id: active.id, name: active.name, is_active: true });
    expectProblem(
      await as(t, who.customer).get(`/api/categories/${inactive.id}/`),
      404,
      'CATEGORY_NOT_FOUND',
    );
    expect((await as(t, who.agent).get(`/api/categories/${inactive.id}/`)).body).toEqual(inactive);
  });

  it('when another org reads or edits a category, then 404', async () => {
    const category = await addCategory(who.admin);
    const stranger = await t.user('admin', newOrg('b'));
    expectProblem(await as(t, stranger).get(`/api/categories/${category.id}/`), 404, 'CATEGORY_NOT_FOUND');
    expectProblem(
      await as(t, stranger).patch(`/api/categories/${category.id}/`, { name: 'Mine now' }),
      404,
      'CATEGORY_NOT_FOUND',
    );
    expect((await as(t, who.admin).get(`/api/categories/${category.id}/`)).body.name).toBe(category.name);
  });
});

describe('PATCH /api/categories/{id}/', () => {
  it('when an admin edits a category, then it is stored and each change publishes `category.updated` in sequence', async () => {
    const category = await addCategory(who.admin, { default_sla_hours: 24 });
    const first = await as(t, who.admin).patch(`/api/categories/${category.id}/`, {
      default_sla_hours: 12,
      description: 'Now faster',
    });
    expect(expectStatus(first, 200).body).toMatchObject({
      id: category.id,
      default_sla_hours: 12,
      description: 'Now faster',
      created_at: category.created_at,
    });
    const second = await as(t, who.admin).patch(`/api/categories/${category.id}`, { is_active: false });
    expect(expectStatus(second, 200).body.is_active).toBe(false);
    expect((await as(t, who.agent).get(`/api/categories/${category.id}/`)).body).toEqual(second.body);

    const e2 = CategoryUpdatedEventSchema.parse((await eventOf('category.updated', category.id, 2)).body);
    expect(e2.data.changes).toEqual([
      { field: 'description', old: '', new: 'Now faster' },
      { field: 'defaultSlaHours', old: 24, new: 12 },
    ]);
    expect(e2.data.category).toMatchObject({ defaultSlaHours: 12, active: true, version: 2 });
    const e3 = CategoryUpdatedEventSchema.parse((await eventOf('category.updated', category.id, 3)).body);
    expect(e3.data).toMatchObject({
      category: { active: false, defaultSlaHours: 12, version: 3 },
      changes: [{ field: 'active', old: true, new: false }],
    });
  });

  it('when a patch changes nothing, then nothing is written and the next change is the next sequence', async () => {
    const category = await addCategory(who.admin, { default_sla_hours: 5 });
    const same = await as(t, who.admin).patch(`/api/categories/${category.id}/`, {
      name: category.name,
      default_sla_hours: 5,
    });
    expect(expectStatus(same, 200).body).toEqual(category);
    await as(t, who.admin).patch(`/api/categories/${category.id}/`, { default_sla_hours: 6 });
    const next = await eventOf('category.updated', category.id, 2);
    expect((next.body as Envelope<{ changes: unknown[] }>).data.changes).toEqual([
      { field: 'defaultSlaHours', old: 5, new: 6 },
    ]);
    const updates = events.events.filter(
      (e) => e.routingKey === 'category.updated' && e.body.aggregateId === category.id,
    );
    expect(updates.map((e) => e.body.sequence)).toEqual([2]);
  });

  it("when renamed to another category's name in any case, then 409; its own name in another case is fine", async () => {
    const taken = await addCategory(who.admin);
    const category = await addCategory(who.admin);
    const clash = await as(t, who.admin).patch(`/api/categories/${category.id}/`, {
      name: taken.name.toLowerCase(),
    });
    expectProblem(clash, 409, 'CATEGORY_NAME_TAKEN');
    expect((await as(t, who.admin).get(`/api/categories/${category.id}/`)).body.name).toBe(category.name);
    const recased = await as(t, who.admin).patch(`/api/categories/${category.id}/`, {
      name: category.name.toUpperCase(),
    });
    expect(expectStatus(recased, 200).body.name).toBe(category.name.toUpperCase());
  });

  it('when an agent or a customer edits, then 403 and the category is unchanged', async () => {
    const category = await addCategory(who.admin);
    for (const caller of [who.agent, who.customer]) {
      expectProblem(
        await as(t, caller).patch(`/api/categories/${category.id}/`, { is_active: false }),
        403,
        'CATEGORY_FORBIDDEN',
      );
    }
    expect((await as(t, who.admin).get(`/api/categories/${category.id}/`)).body).toEqual(category);
  });

  it.each([
    [{ name: ' ' }, 'name'],
    [{ default_sla_hours: 9000 }, 'default_sla_hours'],
    [{ is_active: null }, 'is_active'],
    [{ id: 'other' }, 'id'],
  ])('when the patch is %j, then 400 names `%s`', async (body, field) => {
    const category = await addCategory(who.admin);
    const reply = await as(t, who.admin).patch(`/api/categories/${category.id}/`, body);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('when concurrent edits change different fields, then both are kept and each has its own sequence', async () => {
    const category = await addCategory(who.admin);
    const [a, b] = await Promise.all([
      as(t, who.admin).patch(`/api/categories/${category.id}/`, { description: 'by a' }),
      as(t, who.admin).patch(`/api/categories/${category.id}/`, { default_sla_hours: 3 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const read = (await as(t, who.admin).get(`/api/categories/${category.id}/`)).body;
    expect(read).toMatchObject({ description: 'by a', default_sla_hours: 3 });
    await eventOf('category.updated', category.id, 2);
    await eventOf('category.updated', category.id, 3);
  });
});

describe('tickets and inactive categories', () => {
  it('when a ticket is opened in an inactive category, then 400 names the category; an active one is taken', async () => {
    const inactive = await addCategory(who.admin, { is_active: false });
    const active = await addCategory(who.admin);
    const refused = await as(t, who.customer).post('/api/tickets/', { title: 'Help', category: inactive.id });
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(refused.body.errors).toEqual([{ path: 'category', message: expect.any(String) }]);
    expect(await t.store.models.tickets.countDocuments({ orgId: who.org, categoryId: inactive.id })).toBe(0);
    const ticket = await openTicket(t, who.customer, { category: active.id });
    expect(ticket.category).toBe(active.id);
  });

  it('when a category is deactivated, then its tickets keep it but no ticket can be moved into it', async () => {
    const category = await addCategory(who.admin);
    const kept = await openTicket(t, who.customer, { category: category.id });
    const other = await openTicket(t, who.customer);
    await as(t, who.admin).patch(`/api/categories/${category.id}/`, { is_active: false });

    expect((await as(t, who.customer).get(`/api/tickets/${kept.id}/`)).body.category).toBe(category.id);
    const moved = await as(t, who.agent).patch(`/api/tickets/${other.id}/`, { category: category.id });
    expectProblem(moved, 400, 'VALIDATION_FAILED');
    expect(moved.body.errors[0].path).toBe('category');
    expect((await as(t, who.agent).get(`/api/tickets/${other.id}/`)).body.category).toBeNull();
  });
});
