import {
  type Closer,
  createMetrics,
  idempotencyKeys,
  type Logger,
  startServiceAuth,
  type TokenVerifier,
} from '@helpdesk/kit';
import { connectBroker, startOutboxRelay } from '@helpdesk/messaging';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from './activities/sla.activities.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { consumeCategoryEvents } from './consumers/category-events.consumer.ts';
import { consumeTicketEvents } from './consumers/ticket-events.consumer.ts';
import { createPolicySignals } from './infra/policy-signals.ts';
import { openSlaConfigStore } from './infra/sla-config-store.ts';
import { countEffect, countWorkflowStarts, createSlaMetrics } from './infra/sla-metrics.ts';
import { createSlaWorkflows } from './infra/sla-workflows.ts';
import { openStore } from './infra/store.ts';
import { traceClientInterceptor } from './infra/temporal-trace.ts';
import { startSlaWorker } from './start-worker.ts';
import type { SlaConfigDeps } from './use-cases/config-ports.ts';
import type { SlaDeps } from './use-cases/deps.ts';
import { createPolicyMatcher } from './use-cases/match-policy.ts';
import { workerTuning } from './worker.ts';

/**
 * Everything one sla replica runs, connected and ready to serve: main.ts serves it, the
 * integration tests call its app in-process. With SLA_WORKER it also runs the Temporal worker of
 * the SLA workflows. On a start-up failure whatever was opened is closed again and the error is
 * rethrown. Closers run consumers first (nothing new reaches the workflows), then the worker (its
 * last activities still write effects), then the connections those use.
 */
export async function startSlaRuntime(opts: {
  config: Config;
  logger: Logger;
  connectionName?: string;
  /** Tests verify tokens of their own signing key instead of identity's JWKS. */
  verifier?: TokenVerifier;
  /** Load identity's revocation snapshot at start (default true; tests without identity turn it off). */
  loadSnapshots?: boolean;
  clock?: () => Date;
  /** A bundle made once by `bundleSlaWorkflows()`; tests share one between runtimes. */
  workflowBundle?: WorkflowBundle;
  /** The org's configured SLA policies (see ActivityDeps); tests put short policies here. */
  matchPolicy?: ActivityDeps['matchPolicy'];
  /** Test seam: the orgs whose ticket events this runtime follows (see consumeTicketEvents). */
  acceptOrg?: (orgId: string) => boolean;
}) {
  const { config, logger } = opts;
  const metrics = createMetrics('sla');
  const slaMetrics = createSlaMetrics(metrics.registry);
  const store = await openStore(config.MONGO_URL);
  const closers: Closer[] = [{ name: 'mongodb', close: () => store.close() }];
  const close = async () => {
    for (const c of closers) await c.close();
  };
  try {
    const broker = await connectBroker({
      url: config.AMQP_URL,
      logger,
      name: opts.connectionName ?? 'sla',
      registry: metrics.registry,
    });
    closers.unshift({ name: 'broker', close: () => broker.close() });
    const effectsModel = store.models.effects;
    const relay = startOutboxRelay({ models: [effectsModel], broker, logger, registry: metrics.registry });
    closers.unshift({ name: 'outbox relay', close: () => relay.stop() });

    const temporal = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    closers.unshift({ name: 'temporal client', close: () => temporal.close() });
    countWorkflowStarts(temporal, slaMetrics);
    const client = new Client({
      connection: temporal,
      namespace: config.TEMPORAL_NAMESPACE,
      interceptors: { workflow: [traceClientInterceptor()] },
    });

    const loadSnapshots = opts.loadSnapshots ?? true;
    const auth = await startServiceAuth({
      broker,
      service: 'sla',
      config,
      logger,
      loadSnapshot: loadSnapshots,
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    });
    closers.unshift({ name: 'session.revoked consumer', close: () => auth.consumer.cancel() });
    const { revocations, verifier } = auth;

    const deps: SlaDeps = {
      tickets: store.tickets,
      categories: store.categories,
      effects: store.effects,
      workflows: createSlaWorkflows(client, { taskQueue: config.SLA_TASK_QUEUE }),
      clock: opts.clock ?? (() => new Date()),
    };
    const configStore = await openSlaConfigStore(store.conn);
    const slaConfig: SlaConfigDeps = {
      ...configStore,
      signals: createPolicySignals(client),
      clock: deps.clock,
      onRetargetError: (ticketId, err) => logger.error({ err, ticketId }, 'cannot signal policyChanged'),
    };
    const configured = createPolicyMatcher({ ...configStore, categories: store.categories });
    const override = opts.matchPolicy;
    const activities = createActivities({
      categories: store.categories,
      effects: store.effects,
      kick: (key) => relay.kick({ model: effectsModel, id: key }),
      onRecorded: (effect) => countEffect(slaMetrics, effect),
      // A test's stand-in policy for an org comes before the org's stored ones.
      matchPolicy: override
        ? async (request) => (await override(request)) ?? configured(request)
        : configured,
    });

    const worker = config.SLA_WORKER
      ? await startSlaWorker({
          address: config.TEMPORAL_ADDRESS,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.SLA_TASK_QUEUE,
          activities,
          logger,
          tuning: workerTuning(config),
          ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
        })
      : null;
    if (worker) closers.unshift({ name: 'temporal worker', close: () => worker.stop() });

    const categories = await consumeCategoryEvents(broker, store.categories, {
      queuePrefix: config.QUEUE_PREFIX,
    });
    closers.unshift({ name: 'category events consumer', close: () => categories.cancel() });
    const tickets = await consumeTicketEvents(broker, deps, {
      queuePrefix: config.QUEUE_PREFIX,
      ...(opts.acceptOrg ? { acceptOrg: opts.acceptOrg } : {}),
    });
    closers.unshift({ name: 'ticket events consumer', close: () => tickets.cancel() });

    const idempotency = idempotencyKeys({ conn: store.conn, logger });
    const app = createApp({
      sla: deps,
      verifier,
      idempotency,
      slaConfig,
      logger,
      metrics,
      readiness: {
        mongo: () => store.ping(),
        broker: () => broker.check(),
        temporal: async () => {
          await temporal.withDeadline(Date.now() + 2_000, () => temporal.workflowService.getSystemInfo({}));
        },
        ...(worker ? { worker: () => worker.check() } : {}),
      },
    });
    return {
      app,
      config,
      store,
      deps,
      slaConfig,
      activities,
      broker,
      relay,
      client,
      worker,
      revocations,
      metrics,
      closers,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
export type SlaRuntime = Awaited<ReturnType<typeof startSlaRuntime>>;
