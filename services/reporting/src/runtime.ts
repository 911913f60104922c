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

    const deps: ReportingDeps = {
      rawEvents: store.rawEvents,
      facts: store.facts,
      buckets: store.buckets,
      settings: store.settings,
      clock: opts.clock ?? (() => new Date()),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    };
    const events = await consumeReportEvents(broker, deps, {
      queuePrefix: config.QUEUE_PREFIX,
      prefetch: config.CONSUMER_PREFETCH,
      ...(opts.acceptEvent ? { acceptEvent: opts.acceptEvent } : {}),
    });
    closers.unshift({ name: 'report events consumer', close: () => events.cancel() });

    const app = createApp({
      reporting: deps,
      verifier: auth.verifier,
      internalToken: config.INTERNAL_TOKEN,
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
