import type { Envelope } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, INTERNAL_TOKEN, type Reporting, startReporting, type TestUser } from './harness.ts';
import { scenario, shuffled } from './scenario.ts';

const RANGE = 'from=2026-11-10&to=2026-11-16';
const REPORTS = [
  `/api/reports/stats/?${RANGE}`,
  `/api/reports/stats/?${RANGE}&tz=America/New_York`,
  `/api/reports/sla/?${RANGE}`,
  `/api/reports/sla/?${RANGE}&group_by=priority`,
  `/api/reports/sla/?${RANGE}&group_by=category`,
  `/api/reports/agents/?${RANGE}`,
  `/api/reports/backlog/?${RANGE}&group_by=agent`,
  `/api/reports/sla/?${RANGE}&format=csv&group_by=agent`,
];

let t: Reporting;

async function reportsOf(who: TestUser) {
  const out: unknown[] = [];
  for (const path of REPORTS) {
    const r = await as(t, who).get(path);
    expect(r.status, path).toBe(200);
    out.push(r.body);
  }
  return out;
}

/** The live generation's bucket documents of an org, by kind and key, without bookkeeping. */
async function bucketsOf(orgId: string) {
  const settings = await t.deps.settings.get(orgId);
  const docs = await t.store.models.buckets.collection.find({ orgId, gen: settings.gen }).toArray();
  return Object.fromEntries(docs.map((d) => [`${d.kind}|${d.key}`, { cells: d.cells, ops: d.ops }]));
}

let reference: TestUser;
let referenceReports: unknown[];

beforeAll(async () => {
  t = await startReporting();
  reference = await t.user('admin', t.org('ref'));
  const events = scenario(reference.orgId);
  await t.publish(events);
  await t.handled(events);
  referenceReports = await reportsOf(reference);
});
afterAll(() => t?.close());

describe('projections', () => {
  it('when the same events arrive twice and shuffled, then every report is identical', async () => {
    const admin = await t.user('admin', t.org('dup'));
    const events = scenario(admin.orgId);
    await t.publish([...shuffled(events, 42), ...shuffled(events, 7)]);
    await t.handled(events, 2);
    // Each event projected once; its copy recognised as a repeat.
    const ids = new Set(events.map((e) => e.id));
    const projected = t.logs.filter((l) => {
      const line = JSON.parse(l);
      return line.msg === 'event projected' && ids.has(line.messageId);
    });
    expect(projected).toHaveLength(events.length);
    expect(await reportsOf(admin)).toEqual(referenceReports);
    expect(await bucketsOf(admin.orgId)).toEqual(await bucketsOf(reference.orgId));
  });

  it('when rebuilt from the raw events, then the buckets and the reports are identical', async () => {
    const before = await bucketsOf(reference.orgId);
    const gen = (await t.deps.settings.get(reference.orgId)).gen;
    const r = await as(t, reference).post('/api/reports/rebuild/');
    expect(r.status).toBe(200);
    expect(r.body.orgs).toEqual([
      { org_id: reference.orgId, events: 17, generation: gen + 1, time_zone: 'UTC' },
    ]);
    expect((await t.deps.settings.get(reference.orgId)).gen).toBe(gen + 1);
    expect(await bucketsOf(reference.orgId)).toEqual(before);
    expect(Object.values(before).every((b) => Object.keys(b.ops).length === 0)).toBe(true);
    expect(await reportsOf(reference)).toEqual(referenceReports);
    const old = await t.store.models.buckets.collection.countDocuments({ orgId: reference.orgId, gen });
    expect(old).toBe(0);
  });

  it('when events arrive while a rebuild runs, then the rebuilt reports have them', async () => {
    const admin = await t.user('admin', t.org('live'));
    const first = scenario(admin.orgId, 'x');
    await t.publish(first);
    await t.handled(first);
    const second = scenario(admin.orgId, 'y');
    const [rebuilt] = await Promise.all([as(t, admin).post('/api/reports/rebuild/'), t.publish(second)]);
    expect(rebuilt.status).toBe(200);
    await t.handled(second);
    const r = await as(t, admin).get(`/api/reports/stats/?${RANGE}`);
    expect(r.body.totals).toEqual({
      opened: 6,
      resolved: 6,
      escalated: 4,
      closed: 2,
      reopened: 2,
      cancelled: 0,
    });
    const backlog = await as(t, admin).get(`/api/reports/backlog/?${RANGE}`);
    expect(backlog.body.series.map((s: { open: number }) => s.open)).toEqual([4, 2, 0, 2, 0, 2, 2]);
  });

  it('when the ops route is called without the internal token, then 403; with it, the org is rebuilt', async () => {
    const denied = await t.app.request(`/internal/reports/rebuild?org=${reference.orgId}`, {
      method: 'POST',
    });
    expect(denied.status).toBe(403);
    const ok = await t.app.request(`/internal/reports/rebuild?org=${reference.orgId}`, {
      method: 'POST',
      headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    expect(ok.status).toBe(200);
    expect(await reportsOf(reference)).toEqual(referenceReports);
  });

  it('when the time zone changes, then the org is rebuilt in it and day reports follow', async () => {
    const admin = await t.user('admin', t.org('tz'));
    const events = scenario(admin.orgId);
    await t.publish(events);
    await t.handled(events);
    const bad = await as(t, admin).put('/api/reports/settings/', { time_zone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.detail).toContain('IANA');
    const put = await as(t, admin).put('/api/reports/settings/', { time_zone: 'Europe/Berlin' });
    expect(put.status).toBe(200);
    expect(put.body.time_zone).toBe('Europe/Berlin');
    expect((await as(t, admin).get('/api/reports/settings/')).body).toEqual({ time_zone: 'Europe/Berlin' });
    const backlog = await as(t, admin).get('/api/reports/backlog/?from=2026-11-10&to=2026-11-11');
    // B opened at 23:50 UTC on the 10th: the 11th in Berlin.
    expect(backlog.body.series).toEqual([
      { date: '2026-11-10', open: 1 },
      { date: '2026-11-11', open: 1 },
    ]);
    expect(backlog.body.tz).toBe('Europe/Berlin');
    const utc = await as(t, admin).get('/api/reports/sla/?tz=UTC');
    expect(utc.status).toBe(400);
    expect(utc.body.code).toBe('REPORT_TZ_UNSUPPORTED');
  });
});

describe('crash between writes', () => {
  let crashing: Reporting;
  afterAll(() => crashing?.close());

  it('when the process dies after a fact write, then the redelivery applies the event once', async () => {
    let crashes = 0;
    crashing = await startReporting({
      leaseMs: 300,
      faults: {
        afterFactWrite: () => {
          // Every third fact write "dies" before its bucket writes.
          crashes += 1;
          if (crashes % 3 === 1) throw new Error('simulated crash after the fact write');
        },
      },
    });
    const admin = await crashing.user('admin', crashing.org('crash'));
    const events: Envelope[] = scenario(admin.orgId);
    await crashing.publish(events);
    await crashing.handled(events);
    expect(crashes).toBeGreaterThan(3);
    const prev = t;
    t = crashing;
    try {
      expect(await reportsOf(admin)).toEqual(referenceReports);
      const facts = await crashing.store.models.facts.collection.find({ orgId: admin.orgId }).toArray();
      expect(facts.every((f) => f.pending === null)).toBe(true);
      const buckets = await crashing.store.models.buckets.collection.find({ orgId: admin.orgId }).toArray();
      expect(buckets.every((b) => Object.keys(b.ops).length === 0)).toBe(true);
    } finally {
      t = prev;
    }
  });
});

describe('access and validation', () => {
  it("when org B's admin asks, then none of org A's numbers show", async () => {
    const other = await t.user('admin', t.org('b'));
    const r = await as(t, other).get(`/api/reports/stats/?${RANGE}`);
    expect(r.body.totals).toEqual({
      opened: 0,
      resolved: 0,
      escalated: 0,
      closed: 0,
      reopened: 0,
      cancelled: 0,
    });
    const agents = await as(t, other).get(`/api/reports/agents/?${RANGE}`);
    expect(agents.body.rows).toEqual([]);
    const backlog = await as(t, other).get(`/api/reports/backlog/?${RANGE}`);
    expect(backlog.body.series.every((s: { open: number }) => s.open === 0)).toBe(true);
  });

  it('when a user or an agent asks, then 403 FORBIDDEN; without a token, 401', async () => {
    for (const role of ['user', 'agent'] as const) {
      const who = await t.user(role, reference.orgId);
      for (const path of [
        '/api/reports/stats/',
        '/api/reports/sla',
        '/api/reports/agents/',
        '/api/reports/backlog/',
        '/api/reports/settings/',
      ]) {
        const r = await as(t, who).get(path);
        expect(r.status, `${role} ${path}`).toBe(403);
        expect(r.body.code).toBe('FORBIDDEN');
      }
      expect((await as(t, who).post('/api/reports/rebuild/')).status).toBe(403);
    }
    expect((await as(t, undefined).get('/api/reports/stats/')).status).toBe(401);
  });

  it.each([
    ['/api/reports/stats/?from=2026-11', 'VALIDATION_FAILED', 'from'],
    ['/api/reports/stats/?to=2026-13-01', 'REPORT_DATE_INVALID', 'YYYY-MM-DD'],
    ['/api/reports/stats/?from=2026-02-30', 'REPORT_DATE_INVALID', 'YYYY-MM-DD'],
    ['/api/reports/stats/?from=2026-11-16&to=2026-11-10', 'REPORT_RANGE_INVALID', 'after'],
    ['/api/reports/stats/?from=2025-01-01&to=2026-11-10', 'REPORT_RANGE_TOO_LONG', '366'],
    ['/api/reports/stats/?tz=Mars/Olympus', 'REPORT_TZ_INVALID', 'IANA'],
    ['/api/reports/sla/?tz=Asia/Tokyo', 'REPORT_TZ_UNSUPPORTED', 'settings'],
    ['/api/reports/sla/?group_by=weekday', 'VALIDATION_FAILED', 'group_by'],
    [
      '/api/reports/backlog/?group_by=agent&priority=high&category=c',
      'REPORT_FILTER_UNSUPPORTED',
      'at most two',
    ],
    ['/api/reports/agents/?format=xml', 'VALIDATION_FAILED', 'format'],
  ])('when asked %s, then 400 %s', async (path, code, detail) => {
    const r = await as(t, reference).get(path);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe(code);
    expect(r.body.detail).toContain(detail);
  });
});
