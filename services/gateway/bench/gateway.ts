// Our gateway as main.ts builds it, minus the broker (revocations still checked on every request),
// with limits high enough that the benchmark measures their cost, not their refusals.
import { createLogger, createMetrics, createTokenVerifier, RevocationList, serveApp } from '@helpdesk/kit';
import { createApp } from '../src/app.ts';
import { createOpenApiCatalog } from '../src/infra/openapi-catalog.ts';
import { createUpstreams } from '../src/infra/upstreams.ts';
import { announce } from './keys.ts';

const target = process.env.BENCH_TARGET ?? 'http://127.0.0.1:8081';
const logger = createLogger({ name: 'gateway', level: 'info' });
const metrics = createMetrics('gateway');
const verifier = createTokenVerifier({
  jwks: new URL('/api/auth/jwks.json', target),
  issuer: 'helpdesk-identity',
  audience: 'helpdesk',
  revocations: new RevocationList(),
});
const upstreams = createUpstreams(
  { identity: target, tickets: target, sla: target, reporting: target },
  { connections: 128, timeoutMs: 30_000 },
);
const app = createApp({
  logger,
  metrics,
  verifier,
  upstreams,
  readiness: {},
  catalog: createOpenApiCatalog({ upstreams, ttlMs: 30_000, logger, version: 'bench' }),
  limits: { windowMs: 60_000, ipMax: 1e9, userMax: 1e9, bodyBytes: 1024 * 1024, trustedHops: 0 },
});
const server = await serveApp({ app, port: 0, host: '127.0.0.1', logger, handleSignals: false });
announce(`http://127.0.0.1:${server.port}`);
