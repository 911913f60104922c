/**
 * The SLA benchmark's worker process: what services/sla/test/worker-process.ts runs (the service's
 * store, outbox relay, activities and `startSlaWorker`, no API, no consumers), with the benchmark's
 * policy: periodic_update only, one ladder step (level 1 at the breach), and per ticket the
 * target the benchmark chose (SLA_BENCH_TARGETS: a JSON file `{ ticketId: ms }`; any other ticket
 * SLA_BENCH_DEFAULT_TARGET_MS).
 *
 * Each recordEffects call that carries an escalation prints `ESC <workflowId> <level> <epoch ms>`
 * on stdout as the activity starts (the instant measured against the deadline). Prints `READY`
 * once the worker polls its task queue; runs until killed.
 */
import { readFile } from 'node:fs/promises';
import { createLogger } from '../../../libs/kit/src/logger.ts';
import { connectBroker, startOutboxRelay } from '../../../libs/messaging/src/index.ts';
import { createActivities } from '../../../services/sla/src/activities/sla.activities.ts';
import { loadSlaConfig } from '../../../services/sla/src/config.ts';
import { openStore } from '../../../services/sla/src/infra/store.ts';
import { startSlaWorker } from '../../../services/sla/src/start-worker.ts';
import { workerTuning } from '../../../services/sla/src/worker.ts';
import { customPolicy, everyPriority, rung } from '../../../services/sla/test/policies.ts';

const env = process.env;
const config = loadSlaConfig(env);
const logger = createLogger({ name: 'sla-bench-worker', level: 'warn' });

const targets = JSON.parse(await readFile(env.SLA_BENCH_TARGETS ?? '', 'utf8')) as Record<string, number>;
const defaultTargetMs = Number(env.SLA_BENCH_DEFAULT_TARGET_MS ?? 4 * 3_600_000);
const policyFor = (targetMs: number) =>
  customPolicy(
    'sla-bench',
    { periodic_update: { targetsMs: everyPriority(targetMs), warningPercents: [] } },
    [rung('periodic_update', 1, 0, [])],
  );

const store = await openStore(config.MONGO_URL);
const broker = await connectBroker({ url: config.AMQP_URL, logger, name: 'sla-bench-worker' });
const relay = startOutboxRelay({ models: [store.models.effects], broker, logger });
const activities = createActivities({
  categories: store.categories,
  effects: store.effects,
  kick: (key) => relay.kick({ model: store.models.effects, id: key }),
  matchPolicy: async (request) => policyFor(targets[request.ticketId] ?? defaultTargetMs),
});
const recordEffects = activities.recordEffects.bind(activities);
activities.recordEffects = async (input) => {
  const startedAt = Date.now();
  for (const e of input.effects) {
    if (e.kind === 'escalated') process.stdout.write(`ESC ${input.workflowId} ${e.level} ${startedAt}\n`);
  }
  await recordEffects(input);
};

await startSlaWorker({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.SLA_TASK_QUEUE,
  activities,
  logger,
  tuning: workerTuning(config),
});
process.stdout.write('READY\n');
