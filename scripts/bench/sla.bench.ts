// SLA benchmark (issue 4): N open tickets with live SLA workflows on the local Temporal dev server.
// Each ticket's workflow is started as the sla consumer starts it (signal-with-start through
// createSlaWorkflows, with the facts of its `ticket.created`), at a bounded concurrency, on a task
// queue of this run's own; the worker runs in a child process (scripts/bench/sla/worker.ts) whose
// RSS is sampled. The first --due tickets' periodic_update deadlines are spread over one minute
// (60 s + i * 60 ms after creation), the rest are hours away; their level-1 escalations are timed
// against the deadlines. Every phase is bounded; the workflows are terminated, the worker killed
// and the database dropped afterwards, also after an error or Ctrl-C.
// Needs the local servers (`scripts/infra.sh up --test`; started here when MONGO_URL is unset).
// The starts are offered at a steady --rate (open loop: a backlog shows as latency, it does not
// slow the offered rate down), as tickets arriving one after another would start them.
// Usage: pnpm bench:sla [--tickets=10000] [--due=1000] [--rate=110] [--concurrency=256] [--sample=200]
//   [--first=60] [--window=60]   (seconds: the first deadline, and the span of the due ones)
// BENCH_TEMPORAL_ARGS adds arguments to the dev server's command line (to try its settings, e.g.
// "--dynamic-config-value matching.numTaskqueueReadPartitions=1").

import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSlaWorkflows } from '../../services/sla/src/infra/sla-workflows.ts';
import { openStore } from '../../services/sla/src/infra/store.ts';
import { slaWorkflowId } from '../../services/sla/src/workflows/contract.ts';
import { arg, type Cleanup, runBench } from './run.ts';
import { delayTo, runBaseline } from './sla/baseline.ts';
import { startWorkerChild } from './sla/child.ts';
import { createdTicketInput } from './sla/inputs.ts';
import { Client, Connection, WorkflowNotFoundError } from './sla/temporal.ts';
import { startBenchTemporal } from './sla/temporal-server.ts';
import { stopping } from './tickets/context.ts';
import { dbUrl, localServers } from './tickets/stack.ts';
import { cpuSpent, latencyCells, latencyHeader, percentile, pool, sampleCpu } from './tickets/stats.ts';

const TICKETS = arg('tickets', 10_000);
const DUE = Math.min(arg('due', 1_000), TICKETS);
const RATE = arg('rate', 110);
const CONCURRENCY = arg('concurrency', 256);
const SAMPLE = arg('sample', 200);
/** No-op workflows started first, at the same rate, as the baseline (0: none). */
const BASELINE = arg('baseline', 2_000);
const FIRST_DUE_MS = arg('first', 60) * 1_000;
/** The due tickets' deadlines are this far apart: 1,000 of them within one minute. */
const DUE_SPACING_MS = (arg('window', 60) * 1_000) / DUE;
const OTHER_TARGET_MS = 4 * 3_600_000;
const START_BUDGET_MS = 300_000;
/** After the last deadline, how long escalations still not seen are waited for. */
const GRACE_MS = 15_000;
/** Set: use that server; unset: a fresh in-memory dev server of this run's own (./sla/temporal-server.ts). */
const GIVEN_TEMPORAL = process.env.TEMPORAL_ADDRESS;
const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'helpdesk';
const MiB = 1024 * 1024;

const cleanups: Cleanup[] = [];

await runBench(cleanups, main, {
  onStop: 'terminating the workflows, killing the worker, dropping the database',
  graceMs: 120_000,
});

async function main() {
  const began = performance.now();
  const tag = randomBytes(4).toString('hex');
  const servers = localServers();
  const db = `sla_bench_${tag}`;
  const mongoUrl = dbUrl(servers.mongoUrl, db);
  const taskQueue = `sla-bench-${tag}`;
  const store = await openStore(mongoUrl);
  cleanups.push(async () => {
    await store.conn.getClient().db(db).dropDatabase();
    await store.close();
  });
  const temporal = GIVEN_TEMPORAL ? undefined : await startBenchTemporal(NAMESPACE);
  if (temporal) cleanups.push(() => temporal.stop());
  const TEMPORAL_ADDRESS = temporal?.address ?? (GIVEN_TEMPORAL as string);
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: NAMESPACE });
  const system = await connection.workflowService.getSystemInfo({});
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}); ` +
      `Temporal ${system.serverVersion || '?'} at ${TEMPORAL_ADDRESS} (${temporal ? 'a fresh in-memory dev server of this run' : 'TEMPORAL_ADDRESS'}), namespace ` +
      `${NAMESPACE}, task queue ${taskQueue}; MongoDB stand-in ${servers.mongoUrl} database ${db}; load ${load()}`,
  );
  console.log(
    `${TICKETS} tickets${TICKETS === 10_000 ? '' : ' (NOT the target size of 10,000)'}, ${DUE} of them due ` +
      `${FIRST_DUE_MS / 1000} s + i * ${DUE_SPACING_MS} ms after creation, the rest after ${OTHER_TARGET_MS / 3_600_000} h; ` +
      `signal-with-start offered at ${RATE}/s (at most ${CONCURRENCY} in flight); one worker process ` +
      `(the service's startSlaWorker with the service's default tuning)`,
  );

  const orgId = randomUUID();
  const requesterId = randomUUID();
  const inputs = Array.from({ length: TICKETS }, (_, i) =>
    createdTicketInput(orgId, requesterId, i + 1, new Date()),
  );
  const targets: Record<string, number> = {};
  for (let i = 0; i < DUE; i++)
    targets[(inputs[i] as (typeof inputs)[number]).ticketId] = FIRST_DUE_MS + i * DUE_SPACING_MS;
  const dir = await mkdtemp(join(tmpdir(), 'sla-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'targets.json'), JSON.stringify(targets));

  // --- baseline: the same starts of a no-op workflow ---
  const baseline =
    BASELINE > 0
      ? await runBaseline({
          client,
          env: {
            MONGO_URL: mongoUrl,
            AMQP_URL: servers.amqpUrl,
            TEMPORAL_ADDRESS,
            TEMPORAL_NAMESPACE: NAMESPACE,
          },
          taskQueue: `${taskQueue}-noop`,
          count: BASELINE,
          perSecond: RATE,
          concurrency: CONCURRENCY,
          sample: SAMPLE,
          temporalPid: temporal?.pid ?? temporalPid(),
          budgetMs: START_BUDGET_MS,
        })
      : undefined;
  if (baseline)
    console.log(
      `baseline: ${baseline.run.latencies.length} no-op workflows started at ${RATE}/s offered ` +
        `(${(baseline.run.latencies.length / baseline.run.seconds).toFixed(0)}/s), then terminated`,
    );

  const bootAt = performance.now();
  const worker = await startWorkerChild({
    MONGO_URL: mongoUrl,
    AMQP_URL: servers.amqpUrl,
    TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: NAMESPACE,
    SLA_TASK_QUEUE: taskQueue,
    SLA_BENCH_TARGETS: join(dir, 'targets.json'),
    SLA_BENCH_DEFAULT_TARGET_MS: String(OTHER_TARGET_MS),
  });
  const started: string[] = [];
  // Runs first (clean-ups run in reverse): the worker goes, then every workflow this run started.
  cleanups.push(async () => {
    await worker.kill();
    const t0 = performance.now();
    let gone = 0;
    const ids = [...started];
    await pool(ids.length, CONCURRENCY, Number.POSITIVE_INFINITY, async (i) => {
      try {
        await client.workflow.getHandle(ids[i] as string).terminate('sla benchmark clean-up');
        gone += 1;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }).catch(() => undefined);
    console.log(
      `\nclean-up: ${gone} of ${ids.length} workflows terminated in ${((performance.now() - t0) / 1000).toFixed(0)} s, ` +
        `worker killed, database ${db} dropped`,
    );
  });
  console.log(
    `worker process ${worker.pid} polling after ${((performance.now() - bootAt) / 1000).toFixed(1)} s (bundling included)`,
  );

  // --- starts ---
  const workflows = createSlaWorkflows(client, { taskQueue });
  const t0 = Date.now();
  const created = new Date(t0).toISOString();
  for (const input of inputs) {
    input.facts.at = created;
    input.facts.createdAt = created;
  }
  const calledAt = new Array<number>(TICKETS).fill(0);
  const pids = { worker: worker.pid, temporal: temporal?.pid ?? temporalPid(), mongodb: mongoPid() };
  const cpuBefore = sampleCpu(pids);
  const run = await pool(
    TICKETS,
    CONCURRENCY,
    performance.now() + START_BUDGET_MS,
    async (i) => {
      const input = inputs[i] as (typeof inputs)[number];
      calledAt[i] = Date.now();
      const outcome = await workflows.ticketChanged(input, input.facts);
      started.push(slaWorkflowId(input.ticketId));
      if (outcome !== 'signalled') throw new Error(`signal-with-start answered ${outcome}`);
    },
    { perSecond: RATE },
  );
  const startsCpu = cpuSpent(cpuBefore, sampleCpu(pids));
  const rssAfterStarts = worker.maxRss();
  const startRate = run.latencies.length / run.seconds;
  console.log(
    `\nstarts: ${run.latencies.length} in ${run.seconds.toFixed(1)} s = ${startRate.toFixed(0)}/s, ${run.errors} errors` +
      `${run.firstError ? ` (first: ${run.firstError})` : ''}`,
  );

  // --- escalations ---
  const lastDeadline = t0 + FIRST_DUE_MS + (DUE - 1) * DUE_SPACING_MS;
  const dueIds = inputs.slice(0, DUE).map((x) => slaWorkflowId(x.ticketId));
  while (Date.now() < lastDeadline + GRACE_MS && dueIds.some((id) => !worker.escalatedAt.has(id))) {
    stopping.signal.throwIfAborted();
    await sleep(250);
  }
  const lateness: number[] = [];
  dueIds.forEach((id, i) => {
    const at = worker.escalatedAt.get(id);
    if (at !== undefined) lateness.push(at - (t0 + FIRST_DUE_MS + i * DUE_SPACING_MS));
  });
  const escalatedOthers = [...worker.escalatedAt.keys()].filter((id) => !dueIds.includes(id)).length;

  // --- a sample: first workflow task, timer armed, history size (after the escalations) ---
  const step = Math.max(1, Math.floor(TICKETS / SAMPLE));
  const sample = [
    ...new Set([...Array.from({ length: Math.ceil(TICKETS / step) }, (_, k) => k * step), 0, DUE - 1]),
  ];
  const firstTask: number[] = [];
  const armed: number[] = [];
  const historyLengths: number[] = [];
  await pool(sample.length, 8, performance.now() + 120_000, async (k) => {
    const i = sample[k] as number;
    const handle = client.workflow.getHandle(slaWorkflowId((inputs[i] as (typeof inputs)[number]).ticketId));
    const events = (await handle.fetchHistory()).events ?? [];
    historyLengths.push(events.length);
    const when = (type: string) => delayTo(events, type, calledAt[i] ?? 0);
    const task = when('WorkflowTaskCompleted');
    const timer = when('TimerStarted');
    if (task !== undefined) firstTask.push(task);
    if (timer !== undefined) armed.push(timer);
  });

  // --- report ---
  const maxRss = worker.maxRss();
  console.log(`\n${'start latency'.padEnd(58)}${'n'.padStart(6)}${latencyHeader()}`);
  console.log(
    `${'signal-with-start (call -> resolved)'.padEnd(58)}${String(run.latencies.length).padStart(6)}${latencyCells(run.latencies)}`,
  );
  console.log(
    `${`sample: call -> first workflow task (${firstTask.length}/${sample.length} had one)`.padEnd(58)}${String(firstTask.length).padStart(6)}${latencyCells(firstTask)}`,
  );
  console.log(
    `${'sample: call -> timer armed (policy resolved, waiting)'.padEnd(58)}${String(armed.length).padStart(6)}${latencyCells(armed)}`,
  );
  if (baseline) {
    const b = baseline;
    console.log(
      `${'baseline no-op workflow: signal-with-start'.padEnd(58)}${String(b.run.latencies.length).padStart(6)}${latencyCells(b.run.latencies)}`,
    );
    console.log(
      `${`baseline no-op workflow: call -> first task (${b.firstTask.length}/${b.sampled} had one)`.padEnd(58)}${String(b.firstTask.length).padStart(6)}${latencyCells(b.firstTask)}`,
    );
  }
  const perStart = (cpu: Map<string, number>, name: string, n: number) =>
    cpu.has(name) ? `${((cpu.get(name) ?? 0) / Math.max(1, n)).toFixed(1)} ms` : '?';
  console.log(
    `CPU per start, while starting: Temporal server ${perStart(startsCpu, 'temporal', run.latencies.length)}, ` +
      `worker ${perStart(startsCpu, 'worker', run.latencies.length)}` +
      (baseline
        ? `; baseline no-op: Temporal server ${perStart(baseline.cpu, 'temporal', baseline.run.latencies.length)}, ` +
          `worker ${perStart(baseline.cpu, 'worker', baseline.run.latencies.length)}`
        : ''),
  );
  console.log(
    `\n${'escalation lateness (activity start - deadline)'.padEnd(58)}${String(lateness.length).padStart(6)}${latencyCells(lateness)}`,
  );
  const early = lateness.filter((l) => l < 0).length;
  const missing = DUE - lateness.length;
  console.log(
    `  ${DUE} due, ${lateness.length} escalated, ${missing} missing, ${early} early; ${escalatedOthers} escalations of tickets not due`,
  );
  console.log(
    `worker RSS: max ${(maxRss / MiB).toFixed(0)} MiB (${(rssAfterStarts / MiB).toFixed(0)} MiB at the end of the starts)`,
  );
  console.log(
    `history length over ${historyLengths.length} sampled workflows: max ${Math.max(...historyLengths)}, p50 ${percentile(historyLengths, 50)}`,
  );
  console.log(
    `CPU during the starts (${run.seconds.toFixed(1)} s, ${availableParallelism()} cores): ` +
      [...startsCpu].map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', '),
  );

  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const p = (xs: number[], q: number) => percentile(xs, q);
  const latenessOk = lateness.length === DUE;
  const rows: [string, boolean][] = [
    [`never early: ${early} early, ${missing} missing`, early === 0 && missing === 0],
    [`lateness p50 ${p(lateness, 50).toFixed(0)} ms <= 1000 ms`, latenessOk && p(lateness, 50) <= 1_000],
    [`lateness p99 ${p(lateness, 99).toFixed(0)} ms <= 2000 ms`, latenessOk && p(lateness, 99) <= 2_000],
    [
      `lateness max ${Math.max(...lateness).toFixed(0)} ms <= 5000 ms`,
      latenessOk && Math.max(...lateness) <= 5_000,
    ],
    [
      `start p99 (signal-with-start) ${p(run.latencies, 99).toFixed(0)} ms < 500 ms`,
      p(run.latencies, 99) < 500,
    ],
    [
      `start p99 (to first workflow task, sample; ${sample.length - firstTask.length} without one) ${p(firstTask, 99).toFixed(0)} ms < 500 ms`,
      firstTask.length === sample.length && p(firstTask, 99) < 500,
    ],
    [
      `start rate ${startRate.toFixed(0)}/s >= 100/s, ${run.errors} errors`,
      startRate >= 100 && run.errors === 0,
    ],
    [`worker RSS max ${(maxRss / MiB).toFixed(0)} MiB < 1024 MiB`, maxRss < 1024 * MiB],
    [`history max ${Math.max(...historyLengths)} < 1000 events`, Math.max(...historyLengths) < 1_000],
  ];
  console.log(`\ntargets (${TICKETS} tickets):`);
  for (const [line, ok] of rows) console.log(`  ${line.padEnd(84)} ${verdict(ok)}`);
  console.log(`\nbenchmark ran ${((performance.now() - began) / 1000).toFixed(0)} s; load average ${load()}`);
}

/** The pid of the first process whose command line matches, if any (for CPU accounting only). */
function pidOf(pattern: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-o', '-f', pattern], { encoding: 'utf8' }).trim();
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}
function temporalPid() {
  return pidOf('temporal server start-dev');
}
function mongoPid() {
  return pidOf('MongoRunner');
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
