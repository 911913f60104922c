import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeReportEvents } from '../src/consumers/report-events.consumer.ts';
import { openStore, type Store } from '../src/infra/store.ts';
import type { ReportingDeps } from '../src/use-cases/deps.ts';
import { ingestEvents } from '../src/use-cases/ingest-events.ts';
import type { FactWrite } from '../src/use-cases/ports.ts';
import { rebuildProjections } from '../src/use-cases/rebuild-projections.ts';
import { story } from './scenario.ts';

/*
 * A batch reaches the reports after fewer round trips: facts are read with the settings, buckets
 * while the facts are written, and the clean-up runs on beside the next batch. These tests pin
 * down both the overlap and that the numbers stay exactly those of a plain one-at-a-time ingest.
 */

let store: Store;
beforeAll(async () => {
  store = await openStore(uniqueDbUrl(testServers().mongoUrl, 'reporting_pipelining'));
});
afterAll(async () => {
  await store?.conn.dropDatabase();
  await store?.close();
});

const clock = () => new Date('2026-11-16T12:00:00Z');

/** Ten tickets: created, then assigned and replied to, then resolved. */
const lives = (orgId: string) =>
  Array.from({ length: 10 }, (_, i) => {
    const s = story(orgId, `${orgId}-t${i}`, '2026-11-10T08:00:00.000Z');
    return [
      [s.created()],
      [s.assigned('2026-11-10T09:00:00.000Z', `agent-${i % 3}`), s.replied('2026-11-10T10:00:00.000Z')],
      [s.status('2026-11-11T10:00:00.000Z', 'resolved')],
    ];
  });
const stage = (l: Envelope[][][], n: number) => l.flatMap((life) => life[n] as Envelope[]);

async function liveBuckets(orgId: string) {
  const gen = (await store.settings.get(orgId)).gen;
  const docs = await store.models.buckets.collection.find({ orgId, gen }).toArray();
  return Object.fromEntries(
    docs
      .filter((d) => Object.keys(d.cells).length > 0)
      .map((d) => [`${d.kind}|${d.key}`, { cells: d.cells, ops: d.ops }]),
  );
}

/** Every event of `orgId`'s ten lives, ingested in one go: what the pipelined runs must equal. */
async function reference(orgId: string) {
  await ingestEvents({ ...store, clock }, lives(orgId).flat(2));
  return liveBuckets(orgId);
}

/** The store, with some fact store methods replaced. */
const withFacts = (facts: Partial<ReportingDeps['facts']>): ReportingDeps => ({
  ...store,
  clock,
  facts: { ...store.facts, ...facts },
});

const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

describe('pipelined ingest', () => {
  it('when a batch is projected, then facts are read with the settings and buckets while facts are written', async () => {
    const steps: string[] = [];
    const timed =
      <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>, delayMs = 0) =>
      async (...a: A) => {
        steps.push(`${name} start`);
        const r = await f(...a);
        await new Promise((done) => setTimeout(done, delayMs));
        steps.push(`${name} end`);
        return r;
      };
    const deps: ReportingDeps = {
      ...store,
      clock,
      settings: { ...store.settings, getMany: timed('settings', store.settings.getMany, 50) },
      facts: {
        ...store.facts,
        findMany: timed('facts.read', store.facts.findMany),
        writeMany: timed('facts.write', store.facts.writeMany, 50),
      },
      buckets: { ...store.buckets, findMany: timed('buckets.read', store.buckets.findMany) },
    };
    const l = lives('overlap');
    await ingestEvents(deps, stage(l, 0));
    steps.length = 0;
    await ingestEvents(deps, stage(l, 1));

    const at = (step: string) => steps.indexOf(step);
    // The org's generation is known from the first batch: its facts are read at once.
    expect(at('facts.read start')).toBeLessThan(at('settings end'));
    expect(at('buckets.read start')).toBeLessThan(at('facts.write end'));
    expect(steps.filter((s) => s === 'facts.read start')).toHaveLength(1);
    expect(steps.filter((s) => s === 'buckets.read start')).toHaveLength(1);

    await ingestEvents(deps, stage(l, 2));
    expect(await liveBuckets('overlap')).toEqual(await reference('overlap-r1'));
  });

  it('when the clean-up is deferred, then the batch counts before it ends and the next batch reads facts only after it', async () => {
    const held = gate();
    const order: string[] = [];
    const deps = withFacts({
      clearPending: async (ops) => {
        await held.opened;
        await store.facts.clearPending(ops);
        order.push('cleared');
      },
      findMany: async (ids) => {
        order.push('facts read');
        return store.facts.findMany(ids);
      },
    });
    const l = lives('deferred');
    const cleanups: Promise<void>[] = [];
    await ingestEvents(deps, stage(l, 0), { deferCleanup: (p) => cleanups.push(p) });
    expect(cleanups.length).toBeGreaterThan(0);
    // In the reports already, while the ops are still pending on the facts.
    const opened = Object.values(await liveBuckets('deferred')).flatMap((b) =>
      Object.values(b.cells as Record<string, { n?: { opened?: number } }>).map((c) => c.n?.opened ?? 0),
    );
    expect(opened.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const pending = await store.models.facts.collection.countDocuments({
      orgId: 'deferred',
      pending: { $ne: null },
    });
    expect(pending).toBe(10);

    order.length = 0;
    const next = ingestEvents(deps, stage(l, 1), { after: Promise.all(cleanups) });
    await new Promise((done) => setTimeout(done, 100));
    expect(order).toEqual([]);
    held.open();
    await next;
    expect(order.indexOf('cleared')).toBeLessThan(order.indexOf('facts read'));
    await ingestEvents(deps, stage(l, 2));
    const left = await store.models.facts.collection.countDocuments({
      orgId: 'deferred',
      pending: { $ne: null },
    });
    expect(left).toBe(0);
    expect(await liveBuckets('deferred')).toEqual(await reference('deferred-r2'));
  });

  it('when a deferred clean-up fails, then its leases are released and the next batch finishes the ops exactly once', async () => {
    let failOnce = true;
    const deps = withFacts({
      clearPending: async (ops) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('simulated outage');
        }
        await store.facts.clearPending(ops);
      },
    });
    const l = lives('failed');
    const cleanups: Promise<void>[] = [];
    await ingestEvents(deps, stage(l, 0), { deferCleanup: (p) => cleanups.push(p) });
    const outcomes = await Promise.allSettled(cleanups);
    expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    const released = await store.models.facts.collection.countDocuments({
      orgId: 'failed',
      'pending.leaseUntil': 0,
    });
    expect(released).toBe(10);

    await ingestEvents(deps, stage(l, 1));
    await ingestEvents(deps, stage(l, 2));
    const left = await store.models.facts.collection.countDocuments({
      orgId: 'failed',
      pending: { $ne: null },
    });
    expect(left).toBe(0);
    const buckets = await liveBuckets('failed');
    expect(Object.values(buckets).every((b) => Object.keys(b.ops ?? {}).length === 0)).toBe(true);
    expect(buckets).toEqual(await reference('failed-r3'));
  });

  it('when a rebuild moved the org to a new generation, then the next batch does not trust its guess and counts once', async () => {
    const writes: FactWrite[][] = [];
    const deps = withFacts({
      writeMany: async (w) => {
        writes.push(w);
        return store.facts.writeMany(w);
      },
    });
    const l = lives('moved');
    await ingestEvents(deps, stage(l, 0));
    const before = (await store.settings.get('moved')).gen;
    await rebuildProjections(deps, { orgId: 'moved' });
    const after = (await store.settings.get('moved')).gen;
    expect(after).toBeGreaterThan(before);

    writes.length = 0;
    await ingestEvents(deps, stage(l, 1));
    // Written to the new generation only, each fact updating the rebuilt one (not created anew).
    const docs = writes.flat().map((w) => w.doc);
    expect(docs.length).toBe(10);
    expect(docs.every((d) => d.gen === after)).toBe(true);
    expect(writes.flat().every((w) => w.prevRev !== null)).toBe(true);
    await ingestEvents(deps, stage(l, 2));
    expect(await liveBuckets('moved')).toEqual(await reference('moved-r4'));
  });

  it("when one org's clean-up fails while another org of the same batch is still projecting, then it is logged and the process goes on", async () => {
    // Unhandled, the failed clean-up would end the process (vitest reports it as an error).
    const warnings: string[] = [];
    const logger = {
      warn: (_o: unknown, msg: string) => warnings.push(msg),
      debug: () => {},
    } as never;
    const deps = withFacts({
      clearPending: async (ops) => {
        if (ops.some((o) => o.id.startsWith('crash-a|'))) throw new Error('simulated outage');
        await store.facts.clearPending(ops);
      },
      writeMany: async (w) => {
        // Org B's facts are written well after org A's clean-up failed.
        if (w.some((x) => x.doc.orgId === 'crash-b')) await new Promise((done) => setTimeout(done, 200));
        return store.facts.writeMany(w);
      },
    });
    let handler: ((e: Envelope, ctx: never) => Promise<void>) | undefined;
    const broker = {
      consume: async (o: { handler: typeof handler }) => {
        handler = o.handler;
        return { cancel: async () => {} };
      },
    };
    const consumer = await consumeReportEvents(broker as never, deps, {
      queuePrefix: 'unused',
      logger,
      batch: { maxSize: 100, maxWaitMs: 20 },
    });
    const a = lives('crash-a');
    const b = lives('crash-b');
    const ctx = { log: { debug: () => {} } } as never;
    await Promise.all([...stage(a, 0), ...stage(b, 0)].map((e) => handler?.(e, ctx)));
    await consumer.cancel();
    expect(warnings).toContain('report batch clean-up failed; left to the sweep');

    // The ops left pending are finished by the next touch, each once.
    const plain = withFacts({});
    for (const n of [1, 2]) await ingestEvents(plain, [...stage(a, n), ...stage(b, n)]);
    expect(await liveBuckets('crash-a')).toEqual(await reference('crash-r5'));
    expect(await liveBuckets('crash-b')).toEqual(await reference('crash-r6'));
  });
});
