import {
  type Closer,
  consumeSessionRevoked,
  createMetrics,
  type Logger,
  RevocationList,
} from '@helpdesk/kit';
import { connectBroker, startOutboxRelay } from '@helpdesk/messaging';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { openStore } from './infra/store.ts';
import { restoreRevocations } from './use-cases/restore-revocations.ts';
import { createIdentityVerifier, prepareIdentity, wireIdentity } from './wiring.ts';

/**
 * Everything one identity replica runs, connected and ready to serve: main.ts serves it, the
 * integration tests call its app in-process, so both exercise the same wiring. On a start-up
 * failure whatever was opened is closed again and the error is rethrown.
 */
export async function startIdentityRuntime(opts: {
  config: Config;
  logger: Logger;
  /** Names this replica's broker connection (visible in the broker's management UI). */
  connectionName?: string;
  /** Replaces the use cases' clock (not the token verifier's), for time-dependent tests. */
  clock?: () => Date;
}) {
  const { config, logger } = opts;
  const metrics = createMetrics('identity');
  const store = await openStore(config.MONGO_URL);
  const closers: Closer[] = [{ name: 'mongodb', close: () => store.close() }];
  const close = async () => {
    for (const c of closers) await c.close();
  };
  try {
    const broker = await connectBroker({
      url: config.AMQP_URL,
      logger,
      name: opts.connectionName ?? 'identity',
      registry: metrics.registry,
    });
    closers.unshift({ name: 'broker', close: () => broker.close() });
    const relay = startOutboxRelay({
      models: [store.models.users],
      broker,
      logger,
      registry: metrics.registry,
    });
    closers.unshift({ name: 'outbox relay', close: () => relay.stop() });
    const revocations = new RevocationList();
    const { deps, keys } = wireIdentity({
      config,
      store,
      revocations,
      kick: relay.kick,
      logger,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    closers.unshift({ name: 'signing key reload', close: () => keys.stop() });
    // Bound before the revocations are restored, so one made in between arrives as an event. An
    // exclusive queue misses what is published while the broker connection is down; what was
    // persisted meanwhile is read back from the database after each reconnect.
    const consumer = await consumeSessionRevoked(broker, revocations, 'identity', {
      onResubscribed: () => {
        restoreRevocations(deps).then(
          (n) => logger.info({ restored: n }, 'revocations restored after a broker reconnect'),
          (err) => logger.error({ err }, 'cannot restore revocations after a broker reconnect'),
        );
      },
    });
    // Message intake first, then the writers, then the connections they use.
    closers.unshift({ name: 'session.revoked consumer', close: () => consumer.cancel() });
    await prepareIdentity({ config, store, deps, keys, logger });
    const app = createApp({
      identity: deps,
      verifier: createIdentityVerifier(config, keys, revocations),
      keys,
      logger,
      metrics,
      trustProxy: config.TRUST_PROXY,
      internalToken: config.INTERNAL_TOKEN,
      readiness: { mongo: () => store.ping(), broker: () => broker.check() },
    });
    return { app, config, store, deps, keys, relay, revocations, metrics, closers, close };
  } catch (err) {
    await close();
    throw err;
  }
}
export type IdentityRuntime = Awaited<ReturnType<typeof startIdentityRuntime>>;
