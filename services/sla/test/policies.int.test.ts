import { waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Sla, startSla, type TestUser } from './harness.ts';
import { type TicketStory, ticketStory } from './ticket-stories.ts';

let t: Sla;

beforeAll(async () => {
  t = await startSla();
});
afterAll(async () => {
  await t?.close();
});

const base = '/api/sla/policies/';
const minutes = (m: number | null) => ({ low: m, medium: m, high: m, critical: m });
const everyMinute = (name: string, m = 1) => ({
  name,
  clocks: { periodic_update: { targets_minutes: minutes(m) } },
});

async function people() {
  const admin = await t.user('admin');
  return {
    admin,
    agent: await t.user('agent', admin.orgId),
    customer: await t.user('user', admin.orgId),
    otherAdmin: await t.user('admin'),
  };
}

const paths = (r: { body: { errors?: { path: string }[] } }) => (r.body.errors ?? []).map((e) => e.path);

/** A ticket of `customer`'s org whose SLA is running. */
async function ticketOf(customer: TestUser, over: Parameters<typeof ticketStory>[1] = {}) {
  const story = ticketStory(customer, over);
  await t.publish(story.created());
  return story;
}

/** The ticket's SLA once `check` holds for it, as an admin of its org reads it. */
function slaWhen(
  admin: TestUser,
  story: TicketStory,
  // biome-ignore lint/suspicious/noExplicitAny: the body is asserted field by field
  check: (body: any) => boolean,
  description: string,
) {
  return waitFor(
    async () => {
      const r = await as(t, admin).get(`/api/tickets/${story.ticket.id}/sla/`);
      return r.status === 200 && check(r.body) && r.body;
    },
    { description },
  );
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies
const periodic = (body: any) => body.clocks.find((c: { clock: string }) => c.clock === 'periodic_update');

describe('/api/sla/policies/', () => {
  it('when an admin adds a policy, then it is stored with its defaults at version 1 and staff read it', async () => {
    const { admin, agent } = await people();
    const cal = await as(t, admin).post('/api/sla/calendars/', {
      name: 'Office',
      time_zone: 'Europe/Berlin',
      week: { mon: [{ start: '09:00', end: '17:00' }] },
    });
    const r = await as(t, admin).post(base, {
      name: 'VIP',
      conditions: { priority: ['high', 'critical'], condition: { field: 'tags', contains: 'vip' } },
      clocks: {
        first_response: {
          targets_minutes: { high: 60, critical: 15 },
          calendar_id: cal.body.id,
          warning_percents: [75],
        },
      },
      escalations: [
        {
          level: 1,
          clock: 'first_response',
          actions: [{ type: 'notify', user_ids: [agent.id], roles: ['admin'] }],
        },
        {
          level: 2,
          clock: 'first_response',
          offset_minutes: 30,
          actions: [{ type: 'raise_priority', to: 'critical' }],
        },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'VIP',
      position: 0,
      active: true,
      version: 1,
      conditions: {
        priority: ['high', 'critical'],
        category: null,
        condition: { field: 'tags', contains: 'vip' },
      },
      clocks: {
        first_response: {
          targets_minutes: { low: null, medium: null, high: 60, critical: 15 },
          calendar_id: cal.body.id,
          pause_statuses: ['pending'],
          warning_percents: [75],
        },
        resolution: { targets_minutes: minutes(null), calendar_id: null },
      },
      escalations: [
        {
          level: 1,
          clock: 'first_response',
          offset_minutes: 0,
          actions: [{ type: 'notify', user_ids: [agent.id], roles: ['admin'] }],
        },
        {
          level: 2,
          clock: 'first_response',
          offset_minutes: 30,
          actions: [{ type: 'raise_priority', to: 'critical' }],
        },
      ],
    });
    expect((await as(t, agent).get(`${base}${r.body.id}/`)).body).toEqual(r.body);
    const second = await as(t, admin).post(base, everyMinute('second'));
    expect(second.body.position).toBe(1);
    const list = await as(t, agent).get(base);
    expect(list.body.results.map((p: { name: string }) => p.name)).toEqual(['VIP', 'second']);
  });

  it('when an admin changes and deletes a policy, then its version grows, the rest is kept, and it is gone', async () => {
    const { admin } = await people();
    const { body: p } = await as(t, admin).post(base, {
      ...everyMinute('p'),
      conditions: { priority: ['low'] },
    });
    const r = await as(t, admin).call('PATCH', `${base}${p.id}/`, {
      active: false,
      conditions: { category: ['cat-1'] },
      clocks: { resolution: { targets_minutes: { low: 600 } } },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      active: false,
      version: 2,
      conditions: { priority: ['low'], category: ['cat-1'], condition: null },
      clocks: {
        periodic_update: { targets_minutes: minutes(1) },
        resolution: { targets_minutes: { low: 600 } },
      },
    });
    expect((await as(t, admin).call('DELETE', `${base}${p.id}/`)).status).toBe(204);
    expect((await as(t, admin).get(`${base}${p.id}/`)).status).toBe(404);
    expect((await as(t, admin).call('DELETE', `${base}${p.id}/`)).status).toBe(404);
  });

  it('when a customer or an agent tries what they may not, then 403; another org gets 404', async () => {
    const { admin, agent, customer, otherAdmin } = await people();
    const { body: p } = await as(t, admin).post(base, everyMinute('mine'));
    expect((await as(t, customer).get(base)).status).toBe(403);
    expect((await as(t, customer).get(`${base}${p.id}/`)).status).toBe(403);
    expect((await as(t, agent).post(base, everyMinute('x'))).status).toBe(403);
    expect((await as(t, agent).call('PATCH', `${base}${p.id}/`, { name: 'x' })).status).toBe(403);
    expect((await as(t, agent).call('DELETE', `${base}${p.id}/`)).status).toBe(403);
    expect((await as(t, otherAdmin).get(`${base}${p.id}/`)).status).toBe(404);
    expect((await as(t, otherAdmin).call('PATCH', `${base}${p.id}/`, { name: 'x' })).status).toBe(404);
    expect((await as(t, otherAdmin).call('DELETE', `${base}${p.id}/`)).status).toBe(404);
    expect((await as(t, otherAdmin).get(base)).body.results).toEqual([]);
    expect((await as(t, admin).get(`${base}${p.id}/`)).body).toMatchObject({ name: 'mine', version: 1 });
  });

  it('when a policy is invalid, then 400 names the fields and nothing is stored', async () => {
    const { admin, otherAdmin } = await people();
    const foreign = await as(t, otherAdmin).post('/api/sla/calendars/', {
      name: 'theirs',
      time_zone: 'UTC',
      week: { mon: [{ start: '09:00', end: '17:00' }] },
    });
    const unknownCalendar = await as(t, admin).post(base, {
      name: 'x',
      clocks: { resolution: { targets_minutes: minutes(60), calendar_id: foreign.body.id } },
    });
    expect(unknownCalendar.status).toBe(400);
    expect(paths(unknownCalendar)).toEqual(['clocks.resolution.calendar_id']);

    const badCondition = await as(t, admin).post(base, {
      name: 'x',
      conditions: { condition: { field: 'tags' } },
    });
    expect(badCondition.status).toBe(400);
    expect(paths(badCondition)[0]).toMatch(/^conditions\.condition/);
    const unknownField = await as(t, admin).post(base, {
      name: 'x',
      conditions: { condition: { field: 'salary', equals: 1 } },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.detail ?? unknownField.body.errors[0].message).toMatch(/salary/);

    const badTargets = await as(t, admin).post(base, {
      name: 'x',
      clocks: { periodic_update: { targets_minutes: { low: 0 }, warning_percents: [100] } },
      escalations: [{ level: 1, clock: 'sometime' }],
    });
    expect(paths(badTargets).sort()).toEqual([
      'clocks.periodic_update.targets_minutes.low',
      'clocks.periodic_update.warning_percents.0',
      'escalations.0.clock',
    ]);
    expect((await as(t, admin).get(base)).body.results).toEqual([]);
  });
});

describe('policy resolution', () => {
  it('when several policies match a ticket, then the first active by position applies; none: the default', async () => {
    const { admin, customer } = await people();
    await as(t, admin).post(base, { ...everyMinute('inactive', 5), position: 0, active: false });
    await as(t, admin).post(base, {
      ...everyMinute('critical only', 2),
      position: 1,
      conditions: { priority: ['critical'] },
    });
    await as(t, admin).post(base, {
      ...everyMinute('printers', 3),
      position: 2,
      conditions: { condition: { field: 'title', contains: 'printer' } },
    });
    await as(t, admin).post(base, {
      ...everyMinute('low only', 4),
      position: 3,
      conditions: { priority: ['low'] },
    });

    const critical = await ticketOf(customer, { priority: 'critical' });
    const high = await ticketOf(customer, { priority: 'high' });
    const criticalSla = await slaWhen(admin, critical, () => true, 'the SLA of the critical ticket');
    expect(criticalSla.policy).toMatchObject({ name: 'critical only', version: 1 });
    expect(periodic(criticalSla).target_seconds).toBe(120);
    // The title comes from the ticket read model: the workflow only knows priority and category.
    const highSla = await slaWhen(admin, high, () => true, 'the SLA of the high ticket');
    expect(highSla.policy.name).toBe('printers');
    expect(periodic(highSla).target_seconds).toBe(180);

    const elsewhere = await t.user('user');
    const otherAdmin = await t.user('admin', elsewhere.orgId);
    const other = await ticketOf(elsewhere, { priority: 'critical' });
    const otherSla = await slaWhen(otherAdmin, other, () => true, 'the SLA in an org without policies');
    expect(otherSla.policy).toEqual({ id: null, name: 'default', version: null });
    expect(periodic(otherSla).target_seconds).toBe(1800);
  });

  it('when a policy changes for new tickets only, then running tickets keep their targets; for running tickets, they are retargeted', async () => {
    const { admin, customer } = await people();
    const { body: p } = await as(t, admin).post(base, everyMinute('short'));
    const first = await ticketOf(customer);
    await slaWhen(
      admin,
      first,
      (b) => periodic(b).target_seconds === 60,
      'the first ticket under the 1-minute policy',
    );

    const forNew = await as(t, admin).call('PATCH', `${base}${p.id}/`, {
      clocks: { periodic_update: { targets_minutes: minutes(2) } },
      apply_to: 'new_tickets',
    });
    expect(forNew.body.version).toBe(2);
    const second = await ticketOf(customer);
    await slaWhen(admin, second, (b) => periodic(b).target_seconds === 120, 'the new ticket under version 2');
    const stillFirst = await as(t, admin).get(`/api/tickets/${first.ticket.id}/sla/`);
    expect(stillFirst.body.policy).toMatchObject({ id: p.id, version: 1 });
    expect(periodic(stillFirst.body).target_seconds).toBe(60);

    await as(t, admin).call('PATCH', `${base}${p.id}/`, {
      clocks: { periodic_update: { targets_minutes: minutes(3) } },
      apply_to: 'running_tickets',
    });
    for (const story of [first, second]) {
      const sla = await slaWhen(admin, story, (b) => b.policy.version === 3, 'the running ticket retargeted');
      expect(periodic(sla).target_seconds).toBe(180);
      // Elapsed time is kept: the clock started with the ticket, not with the change.
      expect(Date.parse(periodic(sla).due_at) - Date.parse(story.ticket.createdAt)).toBe(180_000);
    }

    expect((await as(t, admin).call('DELETE', `${base}${p.id}/?apply_to=running_tickets`)).status).toBe(204);
    const back = await slaWhen(admin, first, (b) => b.policy.id === null, 'the default again');
    expect(periodic(back).target_seconds).toBe(4 * 3600);
  });
});
