// Reporting benchmark (issue 5), in one run:
// 1. Report query latency (stats, sla, agents, backlog over HTTP, p50/p99) for an org with 10,000
//    tickets' worth of events and one with up to 1,000,000, side by side with their ratio. The
//    events are generated (libs/contracts envelopes: created, assigned, first replies, resolved,
//    closed, cancelled, escalated, sla.breached / sla.fulfilled over 90 days, 5 priorities-mix, 5
//    categories, 10 agents) and handed to the service's own ingestEvents (its consumer's code
//    path) in an in-process runtime, bounded in time: what does not fit is said, not faked. The
//    MongoDB commands of one stats request are printed with what `explain` says of them (a
//    collection scan fails the target), and the small org is timed again once the collections
//    hold the large org too.
// 2. Event lag (ticket status change answered by the tickets service → counted by the reports API)
//    at a steady rate through identity + tickets + reporting as their own processes, beside the
//    raw broker round trip at the same rate.
// Needs the local servers (`scripts/infra.sh up --test`; started here when MONGO_URL is unset).
// Usage: pnpm bench:reporting [--small=10000] [--large=1000000] [--small-budget=240] [--large-budget=330]
//   [--requests=200] [--rate=200] [--lag-seconds=30]   (budgets in seconds; batches of 50 tickets)

import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createTokenVerifier, RevocationList } from '../../libs/kit/src/index.ts';
import { createLogger } from '../../libs/kit/src/logger.ts';
import { serveApp } from '../../libs/kit/src/serve.ts';
import { deleteQueues } from '../../libs/testkit/src/delete-queues.ts';
import { TEST_AUDIENCE, TEST_ISSUER, testToken, testTokenKey } from '../../libs/testkit/src/test-tokens.ts';
import { loadReportingConfig } from '../../services/reporting/src/config.ts';
import { startReportingRuntime } from '../../services/reporting/src/runtime.ts';
import { ingestEvents } from '../../services/reporting/src/use-cases/ingest-events.ts';
import { orgShape } from './reporting/events.ts';
import { lagPhase } from './reporting/lag-phase.ts';
import { fmt, percentile, table, verdict } from './reporting/percentiles.ts';
import { captureQueries, explainAll, REPORTS, type Report, timeReports } from './reporting/queries.ts';
import { type SeedResult, seedOrg } from './reporting/seed.ts';
import { arg, type Cleanup, runBench } from './run.ts';
import { dbUrl, localServers } from './tickets/stack.ts';

const SMALL = arg('small', 10_000);
const LARGE = arg('large', 1_000_000);
/** Seconds of seeding at most for the small org, and for the large one. */
const SMALL_BUDGET_MS = arg('small-budget', 240) * 1_000;
const LARGE_BUDGET_MS = arg('large-budget', 330) * 1_000;
const REQUESTS = arg('requests', 200);
const RATE = arg('rate', 200);
const LAG_SECONDS = arg('lag-seconds', 30);
const TARGET_RATIO = 1.5;
const TARGET_STATS_P99_MS = 20;

const cleanups: Cleanup[] = [];

await runBench(cleanups, main, {
  onStop: "stopping the services and dropping the benchmark's databases",
  graceMs: 30_000,
});

async function main() {
  const began = performance.now();
  const servers = localServers();
  const tag = randomBytes(4).toString('hex');
  const db = `bench_reporting_${tag}`;
  const queuePrefix = `bench-rep-q-${tag}`;
  const logger = createLogger({ name: 'bench-reporting', level: 'warn' });
  const config = loadReportingConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    MONGO_URL: dbUrl(servers.mongoUrl, db),
    AMQP_URL: servers.amqpUrl,
    QUEUE_PREFIX: queuePrefix,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  });
  const verifier = createTokenVerifier({
    jwks: testTokenKey,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    revocations: new RevocationList(),
  });
  const runtime = await startReportingRuntime({
    config,
    // Its queue takes every event on the shared broker, other test runs' deliberately malformed
    // ones too, which it dead-letters with an error log; the seeded orgs never come that way.
    logger: createLogger({ name: 'bench-reporting-runtime', level: 'fatal' }),
    verifier,
    loadSnapshots: false,
    connectionName: 'bench-reporting',
    // Its queue still takes every event on the broker; the seeded orgs are fed directly only.
    acceptEvent: () => false,
  });
  cleanups.push(async () => {
    await runtime.store.conn.getClient().db(db).dropDatabase();
    await runtime.close();
    await deleteQueues(servers.amqpUrl, [`${queuePrefix}.events`]);
  });
  const server = await serveApp({
    app: runtime.app,
    port: 0,
    host: '127.0.0.1',
    logger,
    handleSignals: false,
  });
  cleanups.push(() => server.shutdown('bench done'));
  const base = `http://127.0.0.1:${server.port}`;
  const mongoDb = runtime.store.conn.getClient().db(db);
  const info = await mongoDb.admin().command({ buildInfo: 1 });
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), MongoDB ` +
      `${info.version ?? '?'} (stand-in) at ${servers.mongoUrl}, database ${db}; load average ${load()}`,
  );

  // Phase 1: query latency with 10,000 and (up to) 1,000,000 tickets' worth of events.
  const now = Date.now();
  const ingest = (events: Parameters<typeof ingestEvents>[1]) => ingestEvents(runtime.deps, events);
  const small = orgShape(`bench-small-${tag}`);
  const large = orgShape(`bench-large-${tag}`);
  const tokenOf = (orgId: string) => testToken(randomUUID(), orgId, 'admin');
  const [smallToken, largeToken] = await Promise.all([tokenOf(small.orgId), tokenOf(large.orgId)]);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const query = (report: Report) =>
    `?from=${day(now - 29 * 86_400_000)}&to=${day(now)}&tz=UTC${report === 'sla' || report === 'backlog' ? '&group_by=priority' : ''}`;
  console.log(
    `\nqueries: each report ${REQUESTS} times in a row (after 20 unmeasured; at most 20 s a report), one client over HTTP with keep-alive, ` +
      `the last 30 days; sla and backlog grouped by priority; in-process runtime served on ${base}`,
  );

  const seedSmall = await seedOrg(small, ingest, {
    tickets: SMALL,
    budgetMs: SMALL_BUDGET_MS,
    batchTickets: 50,
    concurrency: 1,
    now,
  });
  printSeed('small org', SMALL, seedSmall);
  const statsUrl = `${base}/api/reports/stats/${query('stats')}`;
  const captured = await captureQueries(() =>
    fetch(statsUrl, { headers: { authorization: `Bearer ${smallToken}` } }).then((r) => r.text()),
  );
  console.log(`\nMongoDB operations of one GET ${statsUrl.slice(base.length)}:`);
  for (const q of captured)
    console.log(
      `  ${q.collection}.${q.method} filter ${shortFilter(q.filter)} options ${JSON.stringify(q.options)}`,
    );
  const explained = await explainAll(mongoDb, captured);
  for (const line of explained) console.log(`  ${line}`);
  if (explained.some((l) => l.includes('not supported')))
    console.log(
      '  so instead: every read above is an equality or $in on _id (the index every MongoDB, the stand-in too, ' +
        'answers lookups from), and the small org is timed again below once the collections hold the large org as well',
    );
  else {
    const scans = explained.filter((l) => l.includes('COLLSCAN')).length;
    console.log(
      `target: no collection scan in the query plans of a stats request: ${scans} of ${explained.length} plans scan, ${verdict(scans === 0)}`,
    );
  }
  const smallAlone = await timeReports(base, smallToken, query, {
    requests: REQUESTS,
    warmup: 20,
    budgetMs: 20_000,
  });
  const sizeSmall = await collectionSizes(mongoDb);

  const seedLarge = await seedOrg(large, ingest, {
    tickets: LARGE,
    budgetMs: LARGE_BUDGET_MS,
    batchTickets: 50,
    concurrency: 1,
    now,
    progress: (r) =>
      console.log(`  ... ${r.tickets} tickets, ${r.events} events, ${fmt(r.rate, 0)} events/s`),
  });
  printSeed('large org', LARGE, seedLarge);
  const largeTimes = await timeReports(base, largeToken, query, {
    requests: REQUESTS,
    warmup: 20,
    budgetMs: 20_000,
  });
  const smallInLarger = await timeReports(base, smallToken, query, {
    requests: REQUESTS,
    warmup: 20,
    budgetMs: 20_000,
  });
  const sizeLarge = await collectionSizes(mongoDb);
  console.log(`\ndocuments per collection: with the small org only ${sizeSmall}; with both ${sizeLarge}`);

  const cell = (t: number[]) => `${fmt(percentile(t, 50))} / ${fmt(percentile(t, 99))} (${t.length})`;
  const rows = REPORTS.map((r) => {
    const ratio = percentile(largeTimes[r], 99) / percentile(smallAlone[r], 99);
    return [r, cell(smallAlone[r]), cell(largeTimes[r]), fmt(ratio), cell(smallInLarger[r])];
  });
  console.log(
    `\nreport latency, ms p50 / p99 (requests) (${fmt(seedSmall.tickets, 0)} vs ${fmt(seedLarge.tickets, 0)} tickets in the org)`,
  );
  console.log(
    table(
      [
        'report',
        `${seedSmall.tickets} tickets`,
        `${seedLarge.tickets} tickets`,
        'p99 ratio',
        'small org, larger db',
      ],
      rows,
      [10, 26, 26, 11, 26],
    ),
  );
  const statsP99 = percentile(largeTimes.stats, 99);
  const worstRatio = Math.max(
    ...REPORTS.map((r) => percentile(largeTimes[r], 99) / percentile(smallAlone[r], 99)),
  );
  console.log(
    `target: stats p99 < ${TARGET_STATS_P99_MS} ms at the larger size: ${fmt(statsP99)} ms, ${verdict(statsP99 < TARGET_STATS_P99_MS)}`,
  );
  console.log(
    `target: p99 ratio (${LARGE} / ${SMALL} tickets) < ${TARGET_RATIO}: ` +
      (seedLarge.reachedTarget && seedSmall.reachedTarget
        ? `worst ${fmt(worstRatio)}, ${verdict(worstRatio < TARGET_RATIO)}`
        : `NOT measured: only ${seedSmall.tickets} and ${seedLarge.tickets} tickets fitted in the seeding budgets ` +
          `(worst ratio between those two: ${fmt(worstRatio)})`),
  );
  // Day buckets are split by cell family (`d|<day>|<family>`): all of them, as an upper bound of what a report reads.
  const read = async (orgId: string, kind: 'q' | 'd') => {
    const days = new Set(dayList(now));
    const docs = (
      await mongoDb
        .collection('report_buckets')
        .find({ _id: { $regex: `^${orgId}\\|0\\|${kind}\\|` } as never })
        .toArray()
    ).filter((d) => days.has(String(d._id).split('|')[3] ?? ''));
    return `${docs.length} docs, ${fmt(docs.reduce((n, d) => n + JSON.stringify(d).length, 0) / 1024, 0)} KiB`;
  };
  console.log(
    `bucket documents of the 30 days queried (JSON size): UTC-day counters (stats) ${await read(small.orgId, 'q')} ` +
      `vs ${await read(large.orgId, 'q')}; org-day cells, every family (sla, agents, backlog) ` +
      `${await read(small.orgId, 'd')} vs ${await read(large.orgId, 'd')}`,
  );

  // Phase 2: event lag at a steady rate through the tickets service, beside the raw broker. The
  // lag stack has databases of its own; phase 1's would only fill the in-memory stand-in's heap
  // (longer collector pauses for every database on it), so it goes first.
  await mongoDb.dropDatabase();
  console.log(`\nphase 1's database ${db} dropped before phase 2`);
  await lagPhase(servers, {
    rate: RATE,
    seconds: LAG_SECONDS,
    cleanups,
    dropDb: (name) => runtime.store.conn.getClient().db(name).dropDatabase(),
  });

  console.log(`\nbenchmark ran ${fmt((performance.now() - began) / 1000, 0)} s; load average ${load()}`);
}

function printSeed(name: string, wanted: number, r: SeedResult) {
  console.log(
    `seeded ${name}: ${r.tickets} tickets${r.reachedTarget ? '' : ` (NOT the ${wanted} wanted: the seeding budget ran out)`}, ` +
      `${r.events} events in ${fmt(r.seconds, 1)} s = ${fmt(r.rate, 0)} events/s (${fmt(r.tickets / r.seconds, 0)} tickets/s) ` +
      `through ingestEvents; first batch by type ${JSON.stringify(r.types)}`,
  );
}

async function collectionSizes(db: {
  listCollections: () => { toArray: () => Promise<Array<{ name: string }>> };
  collection: (n: string) => { estimatedDocumentCount: () => Promise<number> };
}): Promise<string> {
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const counts = await Promise.all(
    names.map(async (n) => `${n} ${await db.collection(n).estimatedDocumentCount()}`),
  );
  return counts.join(', ');
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** An `_id: { $in: [...] }` filter as its first and last ids and their number. */
function shortFilter(filter: unknown): string {
  const ids = (filter as { _id?: { $in?: unknown[] } } | undefined)?._id?.$in;
  if (!Array.isArray(ids) || ids.length <= 3) return JSON.stringify(filter);
  return `{"_id":{"$in":[${JSON.stringify(ids[0])}, ... ${JSON.stringify(ids.at(-1))}] (${ids.length} ids)}}`;
}

/** The 30 UTC dates the queries cover, oldest first. */
function dayList(now: number): string[] {
  return Array.from({ length: 30 }, (_, i) =>
    new Date(now - (29 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
