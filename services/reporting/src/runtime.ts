/*
 * Entry points for benches and end-to-end tests:
 * - `startReportingRuntime({ config, logger, connectionName?, verifier?, loadSnapshots?, clock? })`
 *   → `{ app, deps, store, broker, close, ... }`: one replica as main.ts runs it.
 * - `ingestEvents(deps, envelopes)` (use-cases/ingest-events.ts): applies a batch of envelopes
 *   the way the consumer applies each delivery; large batches are much cheaper per event.
 * - `rebuildProjections(deps, { orgId? })` (use-cases/rebuild-projections.ts).
 */
import type { Envelope } from '@helpdesk/contracts';
import { type Closer, createMetrics, type Logger, startServiceAuth, type TokenVerifier } from '@helpdesk/kit';
import { connectBroker } from '@helpdesk/messaging';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { consumeReportEvents } from './consumers/report-events.consumer.ts';
import { openStore } from './infra/store.ts';
import type { ReportingDeps } from './use-cases/deps.ts';
import { runMaintenance } from './use-cases/maintenance.ts';

const MAINTENANCE_MS = 30_000;

export { ingestEvents } from './use-cases/ingest-events.ts';
export { rebuildProjections } from './use-cases/rebuild-projections.ts';

/**
 * Everything one reporting replica runs, connected and ready to serve. On a start-up failure
 * whatever was opened is closed again and the error rethrown. Closers run the consumer first
 * (its in-flight events finish), then the connections.
 */
export async function startReportingRuntime(opts: {
  config: Config;
  logger: Logger;
  connectionName?: string;
  /** Tests verify tokens of their own signing key instead of identity's JWKS. */
  verifier?: TokenVerifier;
  /** Load identity's revocation snapshot at start (default true; tests without identity turn it off). */
  loadSnapshots?: boolean;
  clock?: () => Date;
  /** Test seam: the events this runtime projects (tests share the broker). Default: all. */
  acceptEvent?: (event: Envelope) => boolean;
  /** Test seam: see ReportingDeps.faults. */
  faults?: ReportingDeps['faults'];
  /** See ReportingDeps.leaseMs (tests shorten it to see a crashed op taken over quickly). */
  leaseMs?: number;
  /** How often stale rebuilds and ops left pending are cleaned up (default 30 s; 0: only at start). */
  maintenanceMs?: number;
  /** Tests run a replica without the internal token. */
  internalToken?: string | undefined;
}) {
  const { config, logger } = opts;
  const metrics = createMetrics('reporting');
  const store = await openStore(config.MONGO_URL);
  const closers: Closer[] = [{ name: 'mongodb', close: () => store.close() }];
  const close = async () => {
    for (const c of closers) await c.close();
  };
  try {
    const broker = await connectBroker({
      url: config.AMQP_URL,
      logger,
      name: opts.connectionName ?? 'reporting',
      registry: metrics.registry,
    });
    closers.unshift({ name: 'broker', close: () => broker.close() });
    const auth = await startServiceAuth({
      broker,
      service: 'reporting',
      config,
      logger,
      loadSnapshot: opts.loadSnapshots ?? true,
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    });
    closers.unshift({ name: 'session.revoked consumer', close: () => auth.consumer.cancel() });

    const stopping = new AbortController();
    const deps: ReportingDeps = {
      rawEvents: store.rawEvents,
      facts: store.facts,
      buckets: store.buckets,
      settings: store.settings,
      clock: opts.clock ?? (() => new Date()),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
      lifecycle: { stopping: stopping.signal, running: new Set() },
    };
    // Before the consumer starts: a rebuild that died with the last process stops being fed.
    const maintain = async () => {
      try {
        const r = await runMaintenance(deps);
        if (r.abandoned.length || r.finished || r.failed) logger.warn(r, 'reporting maintenance');
      } catch (err) {
        logger.error({ err }, 'reporting maintenance failed');
      }
    };
    await maintain();
    const every = opts.maintenanceMs ?? MAINTENANCE_MS;
    if (every > 0) {
      const timer = setInterval(() => void maintain(), every);
      timer.unref();
      closers.unshift({ name: 'maintenance', close: async () => clearInterval(timer) });
    }
    // Runs first on close: running rebuilds abandon their generation while MongoDB is still open.
    closers.unshift({
      name: 'rebuilds',
      close: async () => {
        stopping.abort(new Error('the service is shutting down'));
        await Promise.all(deps.lifecycle?.running ?? []);
      },
    });
    const events = await consumeReportEvents(broker, deps, {
      queuePrefix: config.QUEUE_PREFIX,
      prefetch: config.CONSUMER_PREFETCH,
      batch: { maxSize: config.CONSUMER_BATCH_SIZE, maxWaitMs: config.CONSUMER_BATCH_WAIT_MS },
      logger,
      ...(opts.acceptEvent ? { acceptEvent: opts.acceptEvent } : {}),
    });
    closers.splice(1, 0, { name: 'report events consumer', close: () => events.cancel() });

    const app = createApp({
      reporting: deps,
      verifier: auth.verifier,
      internalToken: 'internalToken' in opts ? opts.internalToken : config.INTERNAL_TOKEN,
      logger,
      metrics,
      readiness: { mongo: () => store.ping(), broker: () => broker.check() },
    });
    return { app, config, store, deps, broker, revocations: auth.revocations, metrics, closers, close };
  } catch (err) {
    await close();
    throw err;
  }
}
export type ReportingRuntime = Awaited<ReturnType<typeof startReportingRuntime>>;
