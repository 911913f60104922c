import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TicketEscalatedEventSchema } from '@helpdesk/contracts';
import { type EventCollector, waitFor } from '@helpdesk/testkit';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EffectDoc } from '../src/infra/effect.model.ts';
import { bundleSlaWorkflows } from '../src/worker.ts';
import { slaWorkflowId } from '../src/workflows/contract.ts';
import { collectSlaEvents, type Sla, startSla } from './harness.ts';
import { customPolicy, everyPriority, rung } from './policies.ts';
import { ticketStory } from './ticket-stories.ts';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const TICKETS = 100;
// Long enough for 100 workflows to reach their timers on a busy 2-core machine before the first deadline.
const TARGET_MS = 20_000;
/** A killed worker's in-flight activities are retried only after their 30 s start-to-close timeout. */
const RECOVERY_MS = 50_000;

const policy = customPolicy(
  'crash-safety',
  { periodic_update: { targetsMs: everyPriority(TARGET_MS), warningPercents: [] } },
  [rung('periodic_update', 1, 0, [{ type: 'raise_priority' }])],
);

let t: Sla;
let events: EventCollector;
let bundleDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // The API and the consumer run here; the worker runs in a process of its own, to be killed.
  t = await startSla({ SLA_WORKER: 'false' });
  events = await collectSlaEvents();
  const bundle = await bundleSlaWorkflows({ logger: new DefaultLogger('WARN') });
  bundleDir = await mkdtemp(join(tmpdir(), 'sla-crash-'));
  await writeFile(join(bundleDir, 'workflows.js'), bundle.code);
}, 60_000);
afterAll(async () => {
  for (const child of children) await kill(child);
  await events?.close();
  await t?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** Starts the worker process on the runtime's task queue; resolves once it polls. */
async function startWorker(recordJitterMs = 0): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_SCRIPT], {
    env: {
      ...process.env,
      MONGO_URL: t.config.MONGO_URL,
      AMQP_URL: t.config.AMQP_URL,
      TEMPORAL_ADDRESS: t.config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: t.config.TEMPORAL_NAMESPACE,
      SLA_TASK_QUEUE: t.config.SLA_TASK_QUEUE,
      SLA_CHILD_POLICY: JSON.stringify(policy),
      SLA_CHILD_BUNDLE: join(bundleDir, 'workflows.js'),
      SLA_CHILD_RECORD_JITTER_MS: String(recordJitterMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let stdout = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('READY')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}): ${stderr}`)));
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`worker not ready within 20 s: ${stderr}`)), 20_000).unref(),
  );
  await Promise.race([ready, timeout]);
  return child;
}

/** SIGKILL: no drain, no activity completes, no connection is closed. */
async function kill(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  children.delete(child);
}

const effects = (orgId: string) =>
  t.store.conn.collection<EffectDoc>('sla_effects').find({ orgId }).toArray();
const escalations = (orgId: string) =>
  t.store.conn.collection<EffectDoc>('sla_effects').find({ orgId, kind: 'escalated' }).toArray();
const escalatedEvents = (orgId: string) =>
  events.events
    .filter((e) => e.routingKey === 'ticket.escalated' && (e.body as { orgId?: string }).orgId === orgId)
    .map((e) => TicketEscalatedEventSchema.parse(e.body));

/** Whether the workflow's history shows a timer started: the worker took it as far as waiting. */
async function timerPending(ticketId: string): Promise<boolean> {
  const handle = t.client.workflow.getHandle(slaWorkflowId(ticketId));
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') return false;
  const history = await handle.fetchHistory();
  return (history.events ?? []).some((e) => e.timerStartedEventAttributes);
}

describe('an sla worker killed and restarted', () => {
  it('when the worker is killed with 100 timers pending and again mid-firing, then every due escalation fires exactly once', async () => {
    const customer = await t.user('user');
    const orgId = customer.orgId;
    t.usePolicy(orgId, policy);
    const started = Date.now();

    // 1. A worker serves the 100 new tickets' workflows until each waits on its timer.
    let worker = await startWorker();
    const stories = Array.from({ length: TICKETS }, () => ticketStory(customer));
    for (const story of stories) await t.publish(story.created());
    const deadlines = new Map(stories.map((s) => [s.ticket.id, Date.parse(s.ticket.createdAt) + TARGET_MS]));
    const firstDeadline = Math.min(...deadlines.values());
    const lastDeadline = Math.max(...deadlines.values());
    const waiting = new Set<string>();
    await waitFor(
      async () => {
        for (const { ticket } of stories)
          if (!waiting.has(ticket.id) && (await timerPending(ticket.id).catch(() => false)))
            waiting.add(ticket.id);
        return waiting.size === TICKETS;
      },
      { timeoutMs: TARGET_MS, intervalMs: 200, description: 'all 100 workflows waiting on a timer' },
    );
    await kill(worker);
    const killedAt = Date.now();
    // The kill came before any deadline, or the test would prove nothing about pending timers.
    expect(killedAt).toBeLessThan(firstDeadline);

    // 2. Every deadline passes while no worker runs: nothing fires.
    await new Promise((resolve) => setTimeout(resolve, lastDeadline + 1_000 - Date.now()));
    await t.relay.drained();
    expect(await effects(orgId)).toEqual([]);
    expect(escalatedEvents(orgId)).toEqual([]);

    // 3. A worker with a slow database starts firing; it is killed once a fifth are recorded and
    // the rest are in flight (their effects' activities started, some half done).
    worker = await startWorker(3_000);
    const seenBeforeKill = await waitFor(
      async () => {
        const n = (await escalations(orgId)).length;
        return n >= 20 && n;
      },
      { timeoutMs: 20_000, intervalMs: 10, description: 'a fifth of the escalations recorded' },
    );
    await kill(worker);
    const recordedAtKill = (await escalations(orgId)).length;
    expect(seenBeforeKill).toBeGreaterThanOrEqual(20);
    expect(recordedAtKill, 'the second kill landed mid-firing').toBeLessThan(TICKETS);

    // 4. A third worker finishes the job: each ticket escalated once, at or after its deadline.
    worker = await startWorker();
    const docs = await waitFor(
      async () => {
        const all = await escalations(orgId);
        return all.length >= TICKETS && all;
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 250, description: 'all 100 escalations recorded' },
    );
    await waitFor(() => new Set(escalatedEvents(orgId).map((e) => e.data.ticketId)).size >= TICKETS, {
      timeoutMs: 10_000,
      description: 'all 100 ticket.escalated events published',
    });

    const check = async () => {
      const all = await escalations(orgId);
      expect(all).toHaveLength(TICKETS);
      expect(new Set(all.map((d) => d.ticketId))).toEqual(new Set(deadlines.keys()));
      for (const doc of all) {
        const deadline = deadlines.get(doc.ticketId) as number;
        expect(doc).toMatchObject({ level: 1, clock: 'periodic_update', cycle: 1 });
        expect(doc._id).toBe(`${slaWorkflowId(doc.ticketId)}:periodic_update:1:1`);
        expect(doc.at.getTime()).toBe(deadline);
        expect(doc.recordedAt.getTime()).toBeGreaterThanOrEqual(deadline);
      }
      // The outbox delivers at least once: a redelivery keeps its event id, a second escalation
      // would not. Per ticket: one event, one id, one key.
      const byTicket = new Map<string, Set<string>>();
      for (const e of escalatedEvents(orgId)) {
        expect(e.data).toMatchObject({
          level: 1,
          key: `${slaWorkflowId(e.data.ticketId)}:periodic_update:1:1`,
        });
        expect(Date.parse(e.occurredAt)).toBe(deadlines.get(e.data.ticketId));
        byTicket.set(e.data.ticketId, (byTicket.get(e.data.ticketId) ?? new Set()).add(e.id));
      }
      expect(byTicket.size).toBe(TICKETS);
      for (const [ticketId, ids] of byTicket) expect(ids.size, ticketId).toBe(1);
    };
    expect(docs).toHaveLength(TICKETS);
    await check();
    // Nothing more turns up once the workers and relays have had time to do anything twice.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await t.relay.drained();
    await check();
    const rawEvents = escalatedEvents(orgId).length;
    await kill(worker);
    console.info(
      `crash-safety: ${recordedAtKill}/${TICKETS} recorded at the mid-firing kill, ` +
        `${rawEvents} ticket.escalated deliveries, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 120_000);
});
