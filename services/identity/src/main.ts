import {
  ConfigError,
  consumeSessionRevoked,
  createLogger,
  createMetrics,
  RevocationList,
  serveApp,
} from '@helpdesk/kit';
import { connectBroker, startOutboxRelay } from '@helpdesk/messaging';
import { createApp } from './app.ts';
import { type Config, loadIdentityConfig } from './config.ts';
import { openStore } from './infra/store.ts';
import { restoreRevocations } from './use-cases/restore-revocations.ts';
import { createIdentityVerifier, prepareIdentity, wireIdentity } from './wiring.ts';

let config: Config;
try {
  config = loadIdentityConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`identity: ${err.message}\n`);
  process.exit(1);
}
const logger = createLogger({ name: 'identity', level: config.LOG_LEVEL });

try {
  const metrics = createMetrics('identity');
  const store = await openStore(config.MONGO_URL);
  const broker = await connectBroker({
    url: config.AMQP_URL,
    logger,
    name: 'identity',
    registry: metrics.registry,
  });
  const relay = startOutboxRelay({
    models: [store.models.users],
    broker,
    logger,
    registry: metrics.registry,
  });
  const revocations = new RevocationList();
  const { deps, keys } = wireIdentity({ config, store, revocations, kick: relay.kick, logger });
  // Bound before the revocations are restored, so one made in between arrives as an event.
  // An exclusive queue misses what is published while the broker connection is down; the
  // revocations persisted meanwhile are read back from the database after each reconnect.
  const consumer = await consumeSessionRevoked(broker, revocations, 'identity', {
    onResubscribed: () => {
      restoreRevocations(deps).then(
        (n) => logger.info({ restored: n }, 'revocations restored after a broker reconnect'),
        (err) => logger.error({ err }, 'cannot restore revocations after a broker reconnect'),
      );
    },
  });
  await prepareIdentity({ config, store, deps, keys, logger });
  keys.start();
  const verifier = createIdentityVerifier(config, keys, revocations);

  const app = createApp({
    identity: deps,
    verifier,
    keys,
    logger,
    metrics,
    trustProxy: config.TRUST_PROXY,
    internalToken: config.INTERNAL_TOKEN,
    readiness: { mongo: () => store.ping(), broker: () => broker.check() },
  });
  await serveApp({
    app,
    port: config.PORT,
    host: config.HOST,
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    // Message intake first, then the writers, then the connections they use.
    closers: [
      { name: 'session.revoked consumer', close: () => consumer.cancel() },
      { name: 'outbox relay', close: () => relay.stop() },
      { name: 'signing key reload', close: () => keys.stop() },
      { name: 'broker', close: () => broker.close() },
      { name: 'mongodb', close: () => store.close() },
    ],
  });
} catch (err) {
  logger.fatal({ err }, 'identity failed to start');
  process.exit(1);
}
