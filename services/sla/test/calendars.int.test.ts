import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Sla, startSla } from './harness.ts';

let t: Sla;

beforeAll(async () => {
  t = await startSla();
});
afterAll(async () => {
  await t?.close();
});

const base = '/api/sla/calendars/';
const berlin = {
  name: 'Berlin office',
  time_zone: 'Europe/Berlin',
  week: {
    mon: [
      { start: '09:00', end: '12:30' },
      { start: '13:30', end: '17:00' },
    ],
    fri: [{ start: '09:00', end: '15:00' }],
  },
  holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas' }],
};

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

describe('/api/sla/calendars/', () => {
  it('when an admin adds a calendar, then it is stored at version 1 and staff of the org read it', async () => {
    const { admin, agent } = await people();
    const created = await as(t, admin).post(base, berlin);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}${created.body.id}/`);
    expect(created.body).toMatchObject({
      name: 'Berlin office',
      time_zone: 'Europe/Berlin',
      version: 1,
      holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas' }],
    });
    // Days left out have no working time.
    expect(created.body.week.tue).toEqual([]);
    expect(created.body.week.mon).toHaveLength(2);

    const one = await as(t, agent).get(`${base}${created.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(created.body);
    const list = await as(t, agent).get(base);
    expect(list.body.results.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
  });

  it('when an admin changes a calendar, then only the given fields change and its version grows', async () => {
    const { admin } = await people();
    const { body: cal } = await as(t, admin).post(base, berlin);
    const r = await as(t, admin).call('PATCH', `${base}${cal.id}/`, { time_zone: 'America/New_York' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Berlin office', time_zone: 'America/New_York', version: 2 });
    expect(r.body.week).toEqual(cal.week);
    const again = await as(t, admin).call('PATCH', `${base}${cal.id}/`, { name: 'NY' });
    expect(again.body).toMatchObject({ name: 'NY', version: 3 });
    expect((await as(t, admin).get(`${base}${cal.id}/`)).body.version).toBe(3);
  });

  it('when a customer or an agent tries what they may not, then 403; another org gets 404', async () => {
    const { admin, agent, customer, otherAdmin } = await people();
    const { body: cal } = await as(t, admin).post(base, berlin);
    expect((await as(t, customer).get(base)).status).toBe(403);
    expect((await as(t, customer).get(`${base}${cal.id}/`)).status).toBe(403);
    expect((await as(t, agent).post(base, berlin)).status).toBe(403);
    expect((await as(t, agent).call('PATCH', `${base}${cal.id}/`, { name: 'x' })).status).toBe(403);
    expect((await as(t, otherAdmin).get(`${base}${cal.id}/`)).status).toBe(404);
    expect((await as(t, otherAdmin).call('PATCH', `${base}${cal.id}/`, { name: 'x' })).status).toBe(404);
    expect((await as(t, otherAdmin).get(base)).body.results).toEqual([]);
    expect((await as(t, admin).get(`${base}${cal.id}/`)).body.name).toBe('Berlin office');
  });

  it('when a calendar is invalid, then 400 names the fields and nothing is stored', async () => {
    const { admin } = await people();
    const noHours = await as(t, admin).post(base, { ...berlin, week: {} });
    expect(noHours.status).toBe(400);
    expect(paths(noHours)).toEqual(['week']);
    const badZone = await as(t, admin).post(base, { ...berlin, time_zone: '+05:30' });
    expect(badZone.status).toBe(400);
    expect(paths(badZone)).toContain('time_zone');
    const crossing = await as(t, admin).post(base, {
      ...berlin,
      week: { mon: [{ start: '22:00', end: '02:00' }] },
    });
    expect(paths(crossing)).toContain('week.mon.0.end');
    expect((await as(t, admin).get(base)).body.results).toEqual([]);

    const { body: cal } = await as(t, admin).post(base, berlin);
    const emptied = await as(t, admin).call('PATCH', `${base}${cal.id}/`, { week: {} });
    expect(emptied.status).toBe(400);
    expect(paths(emptied)).toEqual(['week']);
    expect((await as(t, admin).get(`${base}${cal.id}/`)).body.version).toBe(1);
  });
});

describe('GET /openapi.json', () => {
  it('when the spec is generated, then the calendar and policy routes are in it', async () => {
    const r = await t.app.request('/openapi.json');
    expect(r.status).toBe(200);
    const spec = (await r.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(spec.paths['/api/sla/calendars/'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(spec.paths['/api/sla/policies/{id}/'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
  });
});
