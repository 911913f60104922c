import {
  type AppEnv,
  AppError,
  createServiceApp,
  handleError,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  type TokenVerifier,
} from '@helpdesk/kit';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DEFAULT_ATTACHMENT_BODY_LIMIT } from './config.ts';
import { FixedWindowLimiter } from './domain/rate-limiter.ts';
import type { GatewayEnv } from './gateway-env.ts';
import type { OpenApiCatalog } from './infra/openapi-catalog.ts';
import type { Upstreams } from './infra/upstreams.ts';
import { authenticate } from './middleware/authenticate.middleware.ts';
import { limitBody } from './middleware/body-limit.middleware.ts';
import { ipRateLimit, userRateLimit } from './middleware/rate-limit.middleware.ts';
import { gatewayContext } from './middleware/request-context.middleware.ts';
import { routeRequest } from './middleware/route-request.middleware.ts';
import { docsRoutes } from './routes/docs.routes.ts';
import { proxy } from './routes/proxy.routes.ts';

export interface GatewayLimits {
  windowMs: number;
  ipMax: number;
  userMax: number;
  bodyBytes: number;
  /** Bodies of file uploads (`POST /api/tickets/{id}/attachments/`); default ATTACHMENT_BODY_LIMIT's. */
  attachmentBodyBytes?: number;
  /** Proxies in front of the gateway whose `x-forwarded-*` headers are believed. */
  trustedHops: number;
}

export interface GatewayDeps {
  logger: Logger;
  metrics: Metrics;
  verifier: TokenVerifier;
  upstreams: Upstreams;
  catalog: OpenApiCatalog;
  readiness: Record<string, ReadinessCheck>;
  limits: GatewayLimits;
  now?: () => number;
}

export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const { limits, logger } = deps;
  // The kit's app gives /healthz, /readyz, /metrics and the problem+json 404; the gateway's
  // types add the Node bindings and its own context variables on top of the kit's.
  const app = createServiceApp({
    name: 'gateway',
    logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    requestContext: gatewayContext(deps.metrics) as unknown as MiddlewareHandler<AppEnv>,
  }) as unknown as Hono<GatewayEnv>;
  app.onError((err, c) => {
    if (!(err instanceof AppError || err instanceof HTTPException)) {
      const trace = c.get('trace');
      c.set(
        'log',
        logger.child({
          requestId: c.get('requestId'),
          ...(trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {}),
        }),
      );
    }
    return handleError(err, c as unknown as Context<AppEnv>);
  });

  const now = deps.now ?? Date.now;
  const perIp = new FixedWindowLimiter({ limit: limits.ipMax, windowMs: limits.windowMs, name: 'ip', now });
  const perUser = new FixedWindowLimiter({
    limit: limits.userMax,
    windowMs: limits.windowMs,
    name: 'user',
    now,
  });

  // Registered after the probes, which therefore never count against a limit: an orchestrator
  // must not see a healthy gateway as down because someone floods it.
  app.use('*', ipRateLimit(perIp, limits.trustedHops));
  docsRoutes(app, deps.catalog);
  app.on(
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    ['/api/*', '/.well-known/jwks.json'],
    routeRequest(deps.upstreams),
    authenticate(deps.verifier),
    userRateLimit(perUser, perIp),
    limitBody(limits.bodyBytes, limits.attachmentBodyBytes ?? DEFAULT_ATTACHMENT_BODY_LIMIT),
    proxy({ revocations: deps.verifier.revocations, trustedHops: limits.trustedHops, logger }),
  );
  return app;
}
