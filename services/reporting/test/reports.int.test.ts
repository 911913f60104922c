import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Reporting, startReporting, type TestUser } from './harness.ts';
import { scenario } from './scenario.ts';

const RANGE = 'from=2026-11-10&to=2026-11-16';
const zeros = { opened: 0, resolved: 0, escalated: 0, closed: 0, reopened: 0, cancelled: 0 };
const day = (date: string, counts: Partial<typeof zeros> = {}) => ({ date, ...zeros, ...counts });
const noDur = { count: 0, mean_ms: null, median_ms: null, p90_ms: null };
const dur = (ms: number) => ({ count: 1, mean_ms: ms, median_ms: ms, p90_ms: ms });
const clock = (met: number, breached: number) => ({
  met,
  breached,
  met_pct: met + breached ? Math.round((met / (met + breached)) * 1000) / 10 : null,
  breached_pct: met + breached ? Math.round((breached / (met + breached)) * 1000) / 10 : null,
});

let t: Reporting;
let admin: TestUser;
let orgId: string;

beforeAll(async () => {
  t = await startReporting();
  orgId = t.org('a');
  admin = await t.user('admin', orgId);
  const events = scenario(orgId);
  await t.publish(events);
  await t.handled(events);
});
afterAll(() => t?.close());

describe('GET /api/reports/stats/', () => {
  it('when the scenario was published, then each day counts its events (UTC org)', async () => {
    const r = await as(t, admin).get(`/api/reports/stats?${RANGE}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      from: '2026-11-10',
      to: '2026-11-16',
      tz: 'UTC',
      totals: { opened: 3, resolved: 3, escalated: 2, closed: 1, reopened: 1, cancelled: 0 },
      series: [
        day('2026-11-10', { opened: 2 }),
        day('2026-11-11', { resolved: 1, escalated: 2 }),
        day('2026-11-12', { resolved: 1, closed: 1 }),
        day('2026-11-13', { reopened: 1 }),
        day('2026-11-14', { resolved: 1 }),
        day('2026-11-15', { opened: 1 }),
        day('2026-11-16'),
      ],
    });
  });

  it('when asked in another zone, then events move to their local days', async () => {
    const r = await as(t, admin).get(`/api/reports/stats/?from=2026-11-10&to=2026-11-11&tz=Europe/Berlin`);
    expect(r.body.series).toEqual([
      day('2026-11-10', { opened: 1 }),
      day('2026-11-11', { opened: 1, resolved: 1, escalated: 2 }),
    ]);
    const kolkata = await as(t, admin).get(
      `/api/reports/stats/?from=2026-11-10&to=2026-11-10&tz=Asia/Kolkata`,
    );
    // B at 23:50Z is 05:20 on the 11th in Kolkata (+05:30).
    expect(kolkata.body.totals.opened).toBe(1);
  });

  it('when no range is given, then it is the last 7 days ending today', async () => {
    const r = await as(t, admin).get('/api/reports/stats/');
    expect(r.body.from).toBe('2026-11-10');
    expect(r.body.to).toBe('2026-11-16');
    expect(r.body.series).toHaveLength(7);
  });

  it('when exported as CSV, then the header and every day are there', async () => {
    const r = await as(t, admin).get(`/api/reports/stats/?${RANGE}&format=csv`);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.body).toBe(
      [
        'date,opened,resolved,escalated,closed,reopened,cancelled',
        '2026-11-10,2,0,0,0,0,0',
        '2026-11-11,0,1,2,0,0,0',
        '2026-11-12,0,1,0,1,0,0',
        '2026-11-13,0,0,0,0,1,0',
        '2026-11-14,0,1,0,0,0,0',
        '2026-11-15,1,0,0,0,0,0',
        '2026-11-16,0,0,0,0,0,0',
        '',
      ].join('\r\n'),
    );
  });
});

describe('GET /api/reports/sla/', () => {
  it('when not grouped, then compliance, breaches and escalations are the totals', async () => {
    const r = await as(t, admin).get(`/api/reports/sla/?${RANGE}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      from: '2026-11-10',
      to: '2026-11-16',
      tz: 'UTC',
      group_by: null,
      rows: [],
      total: {
        key: null,
        clocks: { first_response: clock(1, 1), periodic_update: clock(0, 1), resolution: clock(1, 0) },
        escalated: { 1: 1, 2: 1 },
        breached: { first_response: 1, periodic_update: 1, resolution: 0 },
      },
    });
  });

  it('when grouped by priority, then each priority has its own numbers', async () => {
    const r = await as(t, admin).get(`/api/reports/sla/?${RANGE}&group_by=priority`);
    expect(r.body.rows).toEqual([
      {
        key: 'high',
        clocks: { first_response: clock(1, 0), periodic_update: clock(0, 0), resolution: clock(1, 0) },
        escalated: {},
        breached: { first_response: 0, periodic_update: 0, resolution: 0 },
      },
      {
        key: 'low',
        clocks: { first_response: clock(0, 0), periodic_update: clock(0, 1), resolution: clock(0, 0) },
        escalated: { 1: 1, 2: 1 },
        breached: { first_response: 0, periodic_update: 1, resolution: 0 },
      },
      {
        key: 'medium',
        clocks: { first_response: clock(0, 1), periodic_update: clock(0, 0), resolution: clock(0, 0) },
        escalated: {},
        breached: { first_response: 1, periodic_update: 0, resolution: 0 },
      },
    ]);
  });

  it('when filtered by category and grouped by agent, then only that category counts', async () => {
    const r = await as(t, admin).get(`/api/reports/sla/?${RANGE}&category=cat-1&group_by=agent`);
    expect(r.body.total.clocks.first_response).toEqual(clock(1, 1));
    expect(r.body.total.escalated).toEqual({});
    expect(r.body.rows.map((row: { key: string | null }) => row.key)).toEqual(['agent-1', null]);
  });
});

describe('GET /api/reports/agents/', () => {
  it('when tickets were assigned and resolved, then each agent has its counts and times', async () => {
    const r = await as(t, admin).get(`/api/reports/agents/?${RANGE}`);
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([
      {
        agent_id: 'agent-1',
        assigned: 1,
        resolved: 1,
        first_response: { ...dur(3_600_000), business: dur(3_600_000) },
        resolution: { ...dur(86_400_000), business: dur(28_800_000) },
      },
      {
        agent_id: 'agent-2',
        assigned: 1,
        resolved: 2,
        first_response: { ...noDur, business: noDur },
        resolution: { ...dur(295_800_000), business: noDur },
      },
      {
        agent_id: null,
        assigned: 0,
        resolved: 0,
        first_response: { ...noDur, business: noDur },
        resolution: { ...noDur, business: noDur },
      },
    ]);
  });

  it('when filtered by agent, then only that agent is listed', async () => {
    const r = await as(t, admin).get(`/api/reports/agents/?${RANGE}&agent=agent-2`);
    expect(r.body.rows.map((row: { agent_id: string }) => row.agent_id)).toEqual(['agent-2']);
  });
});

describe('CSV and the spec', () => {
  it('when agents and SLA are exported as CSV, then the columns are documented and exact', async () => {
    const agents = await as(t, admin).get(`/api/reports/agents/?${RANGE}&format=csv&agent=agent-1`);
    expect(agents.body).toBe(
      [
        'agent_id,assigned,resolved,first_response_count,first_response_mean_ms,first_response_median_ms,first_response_p90_ms,first_response_business_count,first_response_business_mean_ms,first_response_business_median_ms,first_response_business_p90_ms,resolution_count,resolution_mean_ms,resolution_median_ms,resolution_p90_ms,resolution_business_count,resolution_business_mean_ms,resolution_business_median_ms,resolution_business_p90_ms',
        'agent-1,1,1,1,3600000,3600000,3600000,1,3600000,3600000,3600000,1,86400000,86400000,86400000,1,28800000,28800000,28800000',
        '',
      ].join('\r\n'),
    );
    const sla = await as(t, admin).get(`/api/reports/sla/?${RANGE}&format=csv&group_by=category`);
    expect(sla.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(sla.body.split('\r\n')).toEqual([
      'scope,key,first_response_met,first_response_breached,first_response_met_pct,first_response_breached_pct,periodic_update_met,periodic_update_breached,periodic_update_met_pct,periodic_update_breached_pct,resolution_met,resolution_breached,resolution_met_pct,resolution_breached_pct,escalated_1,escalated_2,breached_first_response,breached_periodic_update,breached_resolution',
      'row,cat-1,1,1,50,50,0,0,,,1,0,100,0,0,0,1,0,0',
      'row,,0,0,,,0,1,0,100,0,0,,,1,1,0,1,0',
      'total,,1,1,50,50,0,1,0,100,1,0,100,0,1,1,1,1,0',
      '',
    ]);
  });

  it('when the OpenAPI document is read, then every report route is described', async () => {
    const r = await t.app.request('/openapi.json');
    const spec = (await r.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['stats', 'sla', 'agents', 'backlog', 'settings', 'rebuild']) {
      const op = spec.paths[`/api/reports/${path}/`];
      expect(op, path).toBeDefined();
      const first = Object.values(op ?? {})[0] as { summary?: string; description?: string };
      expect(first.summary).toBeTruthy();
      expect(first.description).toBeTruthy();
    }
  });
});

describe('GET /api/reports/backlog/', () => {
  it('when tickets open, resolve and reopen, then each day ends with the open count', async () => {
    const r = await as(t, admin).get(`/api/reports/backlog/?${RANGE}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      from: '2026-11-10',
      to: '2026-11-16',
      tz: 'UTC',
      group_by: null,
      series: [
        { date: '2026-11-10', open: 2 },
        { date: '2026-11-11', open: 1 },
        { date: '2026-11-12', open: 0 },
        { date: '2026-11-13', open: 1 },
        { date: '2026-11-14', open: 0 },
        { date: '2026-11-15', open: 1 },
        { date: '2026-11-16', open: 1 },
      ],
      ageing: { lt_1d: 0, d1_3: 1, d3_7: 0, d7_30: 0, gt_30d: 0 },
      rows: [],
    });
  });

  it('when the range starts mid-month after activity, then the carried-over backlog counts', async () => {
    const r = await as(t, admin).get('/api/reports/backlog/?from=2026-11-13&to=2026-11-13&group_by=priority');
    expect(r.body.series).toEqual([{ date: '2026-11-13', open: 1 }]);
    expect(r.body.rows).toEqual([
      { key: 'low', open: 1, ageing: { lt_1d: 0, d1_3: 0, d3_7: 0, d7_30: 0, gt_30d: 0 } },
      { key: 'medium', open: 0, ageing: { lt_1d: 0, d1_3: 1, d3_7: 0, d7_30: 0, gt_30d: 0 } },
    ]);
  });

  it('when exported as CSV, then days, the ageing total and rows are lines', async () => {
    const r = await as(t, admin).get(
      '/api/reports/backlog/?from=2026-11-15&to=2026-11-16&format=csv&group_by=category',
    );
    expect(r.body).toBe(
      [
        'kind,date,key,open,lt_1d,d1_3,d3_7,d7_30,gt_30d',
        'day,2026-11-15,,1,,,,,',
        'day,2026-11-16,,1,,,,,',
        'total,,,,0,1,0,0,0',
        'row,,cat-1,1,0,1,0,0,0',
        '',
      ].join('\r\n'),
    );
  });
});
