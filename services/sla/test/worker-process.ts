/**
 * A stand-alone sla worker process for the crash-safety test: the same store, outbox relay,
 * activities and `startSlaWorker` that runtime.ts wires, minus the API and the consumers, so the
 * test can SIGKILL it without touching the runtime that serves and consumes in the test process.
 *
 * Test seams, from the environment (besides MONGO_URL, AMQP_URL, TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, SLA_TASK_QUEUE):
 * - SLA_CHILD_POLICY: a ResolvedPolicy as JSON, the org's configured policy for every ticket;
 * - SLA_CHILD_BUNDLE: the path of a workflow bundle's code made by the test (bundling takes seconds);
 * - SLA_CHILD_RECORD_JITTER_MS: each recordEffects waits a random time up to this first, like a
 *   slow database, so a kill lands while some escalations are recorded and others are not.
 *
 * Prints `READY` on stdout once the worker polls its task queue.
 */
import { readFile } from 'node:fs/promises';
import { connectBroker, startOutboxRelay } from '@helpdesk/messaging';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { createActivities } from '../src/activities/sla.activities.ts';
import { loadSlaConfig } from '../src/config.ts';
import type { ResolvedPolicy } from '../src/domain/policy.ts';
import { openStore } from '../src/infra/store.ts';
import { startSlaWorker } from '../src/start-worker.ts';

const env = process.env;
const config = loadSlaConfig(env);
const logger = pino({ level: 'warn' }, pino.destination(2));
Runtime.install({ logger: new DefaultLogger('WARN') });

const policy = JSON.parse(env.SLA_CHILD_POLICY ?? 'null') as ResolvedPolicy | null;
const jitterMs = Number(env.SLA_CHILD_RECORD_JITTER_MS ?? 0);
const bundlePath = env.SLA_CHILD_BUNDLE;

const store = await openStore(config.MONGO_URL);
const broker = await connectBroker({ url: config.AMQP_URL, logger, name: 'sla-test-worker' });
const relay = startOutboxRelay({ models: [store.models.effects], broker, logger });
const activities = createActivities({
  categories: store.categories,
  effects: store.effects,
  kick: (key) => relay.kick({ model: store.models.effects, id: key }),
  matchPolicy: async () => policy,
});
const recordEffects = activities.recordEffects.bind(activities);
activities.recordEffects = async (input) => {
  if (jitterMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * jitterMs));
  await recordEffects(input);
};

await startSlaWorker({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.SLA_TASK_QUEUE,
  activities,
  logger,
  ...(bundlePath ? { workflowBundle: { code: await readFile(bundlePath, 'utf8') } } : {}),
});
process.stdout.write('READY\n');
// Runs until killed: the test never stops it gracefully.
