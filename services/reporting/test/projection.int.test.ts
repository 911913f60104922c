import type { Envelope } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReportingDeps } from '../src/use-cases/deps.ts';
import { ingestEvents } from '../src/use-cases/ingest-events.ts';
import { runMaintenance } from '../src/use-cases/maintenance.ts';
import { STALE_BUILD_MS } from '../src/use-cases/rebuild-projections.ts';
import { as, INTERNAL_TOKEN, NOW, type Reporting, startReporting, type TestUser } from './harness.ts';
import { scenario, shuffled, story } from './scenario.ts';

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
/** The shared replica's fault hooks: a test sets what it needs, afterEach clears them. */
const faults: NonNullable<ReportingDeps['faults']> = {};
afterEach(() => {
  for (const k of Object.keys(faults)) delete faults[k as keyof typeof faults];
});

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
  t = await startReporting({ faults });
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
      { org_id: reference.orgId, events: 19, generation: gen + 1, time_zone: 'UTC' },
    ]);
    expect((await t.deps.settings.get(reference.orgId)).gen).toBe(gen + 1);
    expect(await bucketsOf(reference.orgId)).toEqual(before);
    expect(Object.values(before).every((b) => Object.keys(b.ops).length === 0)).toBe(true);
    expect(await reportsOf(reference)).toEqual(referenceReports);
    const old = await t.store.models.buckets.collection.countDocuments({ orgId: reference.orgId, gen });
    expect(old).toBe(0);
  });

  it('when events arrive after the replay but before the new generation goes live, then the rebuilt reports have them', async () => {
    const admin = await t.user('admin', t.org('live'));
    const first = scenario(admin.orgId, 'x');
    await t.publish(first);
    await t.handled(first);
    const second = scenario(admin.orgId, 'y');
    // The replay has read the whole log by now: only the dual write can bring `second` in.
    faults.beforeFinishBuild = async (orgId) => {
      if (orgId !== admin.orgId) return;
      await t.publish(second);
      await t.handled(second);
    };
    const rebuilt = await as(t, admin).post('/api/reports/rebuild/');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.orgs[0].events).toBe(first.length);
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

  it('when a rebuild failed, then its generation is never used again and its late leftovers are removed', async () => {
    const admin = await t.user('admin', t.org('gen'));
    const events = scenario(admin.orgId);
    await t.publish(events);
    await t.handled(events);
    const live = (await t.deps.settings.get(admin.orgId)).gen;
    faults.beforeFinishBuild = () => {
      throw new Error('simulated rebuild failure');
    };
    expect((await as(t, admin).post('/api/reports/rebuild/')).status).toBe(500);
    delete faults.beforeFinishBuild;
    const failed = live + 1;
    expect(await t.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen: failed })).toBe(
      0,
    );
    // Live ingestion that read the settings before the abandon writes into the failed generation late.
    const leftover = {
      _id: `${admin.orgId}|${failed}|q|2026-11-12`,
      orgId: admin.orgId,
      gen: failed,
      kind: 'q',
    };
    await t.store.models.buckets.collection.insertOne({
      ...leftover,
      key: '2026-11-12',
      cells: { '*': { n: { 'opened@0': 1 } } },
      rev: 1,
      ops: {},
    } as never);
    const r = await as(t, admin).post('/api/reports/rebuild/');
    expect(r.status).toBe(200);
    expect(r.body.orgs[0].generation).toBe(failed + 1);
    expect(await reportsOf(admin)).toEqual(referenceReports);
    expect(await t.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen: failed })).toBe(
      0,
    );
  });

  it('when a rebuild is asked with Prefer: respond-async, then 202 once it runs, its status can be polled, and the result equals the live one', async () => {
    const admin = await t.user('admin', t.org('async'));
    const events = scenario(admin.orgId);
    await t.publish(events);
    await t.handled(events);
    const idle = await as(t, admin).get('/api/reports/rebuild/');
    expect(idle.status).toBe(200);
    const live = idle.body.live.generation;
    expect(idle.body).toEqual({
      org_id: admin.orgId,
      state: 'idle',
      live: { generation: live, time_zone: 'UTC' },
      running: null,
    });

    // Held just before it goes live, so the 202 and the status see it running.
    const release = Promise.withResolvers<void>();
    faults.beforeFinishBuild = async (orgId) => {
      if (orgId === admin.orgId) await release.promise;
    };
    const started = await as(t, admin).post('/api/reports/rebuild/', undefined, {
      prefer: 'respond-async, wait=5',
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe('/api/reports/rebuild/');
    expect(started.headers.get('preference-applied')).toBe('respond-async');
    expect(started.body).toMatchObject({
      state: 'running',
      live: { generation: live },
      running: { generation: live + 1, time_zone: 'UTC' },
    });
    expect(Date.parse(started.body.running.heartbeat_at)).not.toBeNaN();
    const again = await as(t, admin).post('/api/reports/rebuild/', undefined, { prefer: 'respond-async' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('REPORT_REBUILD_IN_PROGRESS');
    expect((await as(t, admin).get('/api/reports/rebuild/')).body.state).toBe('running');

    release.resolve();
    await waitFor(async () => {
      const s = await as(t, admin).get('/api/reports/rebuild/');
      return s.body.state === 'idle' && s.body.live.generation === live + 1;
    });
    expect(await reportsOf(admin)).toEqual(await reportsOf(reference));
  });

  it('when a rebuild status is asked by an agent or without a token, then 403 or 401', async () => {
    const agent = await t.user('agent', t.org('async-denied'));
    expect((await as(t, agent).get('/api/reports/rebuild/')).status).toBe(403);
    expect((await as(t, undefined).get('/api/reports/rebuild/')).status).toBe(401);
    expect(
      (await as(t, agent).post('/api/reports/rebuild/', undefined, { prefer: 'respond-async' })).status,
    ).toBe(403);
  });

  it("when a rebuild's heartbeat stopped, then its status says stalled", async () => {
    const admin = await t.user('admin', t.org('stalled'));
    await t.deps.settings.claimBuild(
      admin.orgId,
      'UTC',
      new Date(NOW.getTime() - STALE_BUILD_MS - 1_000),
      STALE_BUILD_MS,
    );
    const s = await as(t, admin).get('/api/reports/rebuild/');
    expect(s.body.state).toBe('stalled');
    expect(s.body.running.generation).toBe(s.body.live.generation + 1);
    await runMaintenance(t.deps);
    expect((await as(t, admin).get('/api/reports/rebuild/')).body).toMatchObject({
      state: 'idle',
      running: null,
    });
  });

  it('when the ops route is called without the internal token or with a wrong one, then 403; with it, the org is rebuilt', async () => {
    const denied = await t.app.request(`/internal/reports/rebuild?org=${reference.orgId}`, {
      method: 'POST',
    });
    expect(denied.status).toBe(403);
    const wrong = await t.app.request(`/internal/reports/rebuild?org=${reference.orgId}`, {
      method: 'POST',
      headers: { 'x-internal-token': `${INTERNAL_TOKEN.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { code: string }).code).toBe('INTERNAL_TOKEN_INVALID');
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

describe('durations past 64 values', () => {
  /** 64 tickets resolved on the 10th, and T resolved then too, reopened and resolved on the 11th. */
  function busyDay(orgId: string): Envelope[] {
    const out: Envelope[] = [];
    for (let i = 0; i < 64; i++) {
      const s = story(orgId, `${orgId}-r${i}`, '2026-11-10T00:00:00.000Z');
      const minutes = 60 + ((i * 37) % 600);
      out.push(
        s.created(),
        s.status(new Date(Date.parse('2026-11-10T00:00:00Z') + minutes * 60_000).toISOString(), 'resolved'),
      );
    }
    const t = story(orgId, `${orgId}-T`, '2026-11-10T01:00:00.000Z');
    out.push(
      t.created(),
      t.status('2026-11-10T05:00:00.000Z', 'resolved'),
      t.status('2026-11-11T08:00:00.000Z', 'in_progress', { reopened: true }),
      t.status('2026-11-11T09:00:00.000Z', 'resolved'),
    );
    return out;
  }
  const paths = [
    '/api/reports/agents/?from=2026-11-10&to=2026-11-10',
    '/api/reports/agents/?from=2026-11-10&to=2026-11-11',
  ];

  it('when a day crosses 64 resolution times live, then its figures equal a rebuilt one', async () => {
    const admin = await t.user('admin', t.org('busy'));
    // One event at a time in order, as the consumer applies them: the 10th briefly holds 65 values.
    for (const e of busyDay(admin.orgId)) await ingestEvents(t.deps, [e]);
    const live = [];
    for (const path of paths) live.push((await as(t, admin).get(path)).body);
    expect(live[0].rows[0].resolution.count).toBe(64);
    expect(live[1].rows[0].resolution.count).toBe(65);
    expect((await as(t, admin).post('/api/reports/rebuild/')).status).toBe(200);
    for (const [i, path] of paths.entries()) expect((await as(t, admin).get(path)).body).toEqual(live[i]);
  });
});

describe('failures while writing buckets, and maintenance', () => {
  it('when a bucket write fails partway through an op, then the redelivery takes it over at once and applies it exactly once', async () => {
    const admin = await t.user('admin', t.org('partial'));
    let writes = 0;
    const failAt = new Set([3, 11, 25]);
    faults.afterBucketWrite = () => {
      writes += 1;
      // The write itself took effect: the op is partly applied when this throws.
      if (failAt.has(writes)) throw new Error(`simulated failure after bucket write ${writes}`);
    };
    const events = scenario(admin.orgId);
    const started = Date.now();
    await t.publish(events);
    await t.handled(events);
    const took = Date.now() - started;
    expect(writes).toBeGreaterThan(25);
    // Without releasing the lease each retry would wait out the 15 s lease.
    expect(took).toBeLessThan(5_000);
    expect(await reportsOf(admin)).toEqual(referenceReports);
    const facts = await t.store.models.facts.collection.find({ orgId: admin.orgId }).toArray();
    expect(facts.every((f) => f.pending === null)).toBe(true);
    const buckets = await t.store.models.buckets.collection.find({ orgId: admin.orgId }).toArray();
    expect(buckets.every((b) => Object.keys(b.ops).length === 0)).toBe(true);
  });

  it('when an op is left pending after its delivery gave up, then the maintenance sweep finishes it', async () => {
    const admin = await t.user('admin', t.org('sweep'));
    const [created] = scenario(admin.orgId);
    const deps: ReportingDeps = { ...t.deps, leaseMs: 200 };
    const failing: ReportingDeps = {
      ...deps,
      faults: {
        afterFactWrite: () => {
          throw new Error('simulated outage after the fact write');
        },
      },
    };
    await expect(ingestEvents(failing, [created as Envelope])).rejects.toThrow('simulated outage');
    const stats = async () => (await as(t, admin).get(`/api/reports/stats/?${RANGE}`)).body.totals.opened;
    expect(await stats()).toBe(0);
    await waitFor(async () => (await runMaintenance(deps)).finished > 0 && (await stats()) === 1, {
      description: 'the sweep finishing the op',
    });
    const facts = await t.store.models.facts.collection.find({ orgId: admin.orgId }).toArray();
    expect(facts.map((f) => f.pending)).toEqual([null]);
  });

  it("when a rebuild's heartbeat stopped, then maintenance abandons it and removes its generation", async () => {
    const admin = await t.user('admin', t.org('stale'));
    const events = scenario(admin.orgId);
    const longAgo = new Date(NOW.getTime() - STALE_BUILD_MS - 1_000);
    const building = await t.deps.settings.claimBuild(admin.orgId, 'UTC', longAgo, STALE_BUILD_MS);
    expect(building).not.toBeNull();
    const gen = building?.gen as number;
    await t.publish(events);
    await t.handled(events);
    // Live events went to the dead build's generation too.
    expect(
      await t.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen }),
    ).toBeGreaterThan(0);
    const r = await runMaintenance(t.deps);
    expect(r.abandoned).toContainEqual({ orgId: admin.orgId, gen });
    expect((await t.deps.settings.get(admin.orgId)).building).toBeNull();
    expect(await t.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen })).toBe(0);
    expect(await t.store.models.facts.collection.countDocuments({ orgId: admin.orgId, gen })).toBe(0);
    expect(await reportsOf(admin)).toEqual(referenceReports);
  });

  it('when the service shuts down during a rebuild, then the rebuild is abandoned whole and the live generation stays', async () => {
    const hooks: NonNullable<ReportingDeps['faults']> = {};
    const r = await startReporting({ faults: hooks, maintenanceMs: 0 });
    try {
      const admin = await r.user('admin', r.org('shutdown'));
      const events = scenario(admin.orgId);
      await r.publish(events);
      await r.handled(events);
      const live = (await r.deps.settings.get(admin.orgId)).gen;
      const stopping = r.deps.lifecycle?.stopping as AbortSignal;
      let paused = false;
      hooks.beforeFinishBuild = () =>
        new Promise<void>((resolve) => {
          paused = true;
          stopping.addEventListener('abort', () => resolve());
        });
      const answer = as(r, admin).post('/api/reports/rebuild/');
      await waitFor(() => paused, { description: 'the rebuild paused before going live' });
      const gen = (await r.deps.settings.get(admin.orgId)).building?.gen as number;
      expect(
        await r.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen }),
      ).toBeGreaterThan(0);
      // The first closer: abort running rebuilds and wait for them, MongoDB still open.
      await r.closers[0]?.close();
      expect((await answer).status).toBe(500);
      const settings = await r.deps.settings.get(admin.orgId);
      expect(settings).toMatchObject({ gen: live, building: null });
      expect(await r.store.models.buckets.collection.countDocuments({ orgId: admin.orgId, gen })).toBe(0);
      expect(await r.store.models.facts.collection.countDocuments({ orgId: admin.orgId, gen })).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('when the service has no internal token, then the ops route refuses even a token', async () => {
    const bare = await startReporting({ internalToken: null, maintenanceMs: 0 });
    try {
      const r = await bare.app.request('/internal/reports/rebuild', {
        method: 'POST',
        headers: { 'x-internal-token': INTERNAL_TOKEN },
      });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { code: string }).code).toBe('INTERNAL_TOKEN_INVALID');
    } finally {
      await bare.close();
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
    const sla = await as(t, other).get(`/api/reports/sla/?${RANGE}&group_by=priority`);
    expect(sla.status).toBe(200);
    expect(sla.body.rows).toEqual([]);
    const numbers = JSON.stringify(sla.body.total).match(/-?\d+(\.\d+)?/g) ?? [];
    expect(numbers.every((n: string) => Number(n) === 0)).toBe(true);
    const backlogByAgent = await as(t, other).get(`/api/reports/backlog/?${RANGE}&group_by=agent`);
    expect(backlogByAgent.body.rows).toEqual([]);
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
      'Got priority, category, group_by=agent',
    ],
    ['/api/reports/agents/?priority=high&category=c', 'REPORT_FILTER_UNSUPPORTED', 'grouped by agent'],
    ['/api/reports/agents/?group_by=priority', 'REPORT_FILTER_UNSUPPORTED', 'group_by'],
    ['/api/reports/agents/?format=xml', 'VALIDATION_FAILED', 'format'],
  ])('when asked %s, then 400 %s', async (path, code, detail) => {
    const r = await as(t, reference).get(path);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe(code);
    expect(r.body.detail).toContain(detail);
  });
});
