import {
  consumeSessionRevoked,
  createLogger,
  createMetrics,
  createTokenVerifier,
  loadRevocations,
  type ReadinessCheck,
  RevocationList,
  serveApp,
} from '@helpdesk/kit';
import { connectBroker } from '@helpdesk/messaging';
import { createApp } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { cachedJwksProbe } from './infra/jwks-probe.ts';
import { createOpenApiCatalog } from './infra/openapi-catalog.ts';
import { createUpstreams } from './infra/upstreams.ts';

const config = loadGatewayConfig(process.env);
const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
const metrics = createMetrics('gateway');
const jwksUrl = new URL(config.JWKS_URL);

const revocations = new RevocationList();
const verifier = createTokenVerifier({
  jwks: jwksUrl,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  revocations,
  cacheSize: config.TOKEN_CACHE_SIZE,
});
const upstreams = createUpstreams(
  {
    identity: config.IDENTITY_URL,
    tickets: config.TICKETS_URL,
    sla: config.SLA_URL,
    reporting: config.REPORTING_URL,
  },
  {
    connections: config.UPSTREAM_CONNECTIONS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    queueMax: config.UPSTREAM_QUEUE_MAX,
  },
);
const broker = await connectBroker({
  url: config.AMQP_URL,
  logger,
  name: 'gateway',
  registry: metrics.registry,
});
// Bind the consumer first, then read identity's snapshot: a revocation made in between is in one
// or the other, and one made before this process existed is in the snapshot.
const snapshotUrl = new URL('/internal/revocations', config.IDENTITY_URL).href;
const consumer = await consumeSessionRevoked(broker, revocations, 'gateway', {
  onResubscribed: () => {
    loadRevocations(revocations, snapshotUrl, { token: config.INTERNAL_TOKEN }).then(
      (s) => logger.info({ entries: s.entries }, 'revocations reloaded after a broker reconnect'),
      (err) => logger.error({ err }, 'cannot reload revocations after a broker reconnect'),
    );
  },
});
const snapshot = await loadRevocations(revocations, snapshotUrl, { token: config.INTERNAL_TOKEN });
logger.info({ entries: snapshot.entries }, 'revocations loaded');

const readiness: Record<string, ReadinessCheck> = {
  broker: () => broker.check(),
  jwks: cachedJwksProbe(jwksUrl),
};
const app = createApp({
  logger,
  metrics,
  verifier,
  upstreams,
  readiness,
  catalog: createOpenApiCatalog({ upstreams, ttlMs: config.OPENAPI_TTL_MS, logger, version: '0.1.0' }),
  limits: {
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    ipMax: config.RATE_LIMIT_IP_MAX,
    userMax: config.RATE_LIMIT_USER_MAX,
    bodyBytes: config.BODY_LIMIT,
    attachmentBodyBytes: config.ATTACHMENT_BODY_LIMIT,
    trustedHops: config.TRUST_PROXY,
  },
});

await serveApp({
  app,
  port: config.PORT,
  host: config.HOST,
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: [
    { name: 'session-revoked consumer', close: () => consumer.cancel() },
    { name: 'broker', close: () => broker.close() },
    // The server has drained by now; calls still pending belong to nobody, so they get little time.
    { name: 'upstream pools', close: () => upstreams.close(Math.min(config.SHUTDOWN_TIMEOUT_MS, 5_000)) },
  ],
});
