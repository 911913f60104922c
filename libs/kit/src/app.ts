import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { Principal } from './auth/principal.ts';
import { AppError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { problemResponse, zodFieldErrors } from './problem-response.ts';
import { requestIdFrom } from './request-id.ts';
import { runWithTrace, type TraceContext, traceOfRequest } from './trace-context.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    /** This service's span of the request's trace; absent where a custom requestContext sets none. */
    trace?: TraceContext;
    log: Logger;
    principal: Principal;
  };
}

export type ReadinessCheck = () => Promise<void> | void;

export interface ServiceAppDeps {
  name: string;
  logger: Logger;
  metrics: Metrics;
  /** Named checks for /readyz; each throws when its dependency does not answer. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Replaces the default per-request context (request id, child logger, latency histogram) where a
   * hot path needs a cheaper one; it must still set `requestId`.
   */
  requestContext?: MiddlewareHandler<AppEnv>;
}

/** Validation failures from route schemas, formatted like every other problem. */
export const defaultHook = (
  result: {
    success: boolean;
    error?: {
      issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>;
    };
  },
  c: Context,
) => {
  if (!result.success && result.error) {
    const errors = zodFieldErrors(result.error.issues);
    return problemResponse(c, 400, 'VALIDATION_FAILED', describe(errors), { errors });
  }
  return undefined;
};

function describe(errors: { path: string; message: string }[]): string {
  const first = errors[0];
  if (!first) return 'The request is not valid.';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.path}: ${first.message}${more}`;
}

/**
 * The one place errors become responses: known errors keep their code and status, anything
 * else is logged with its stack and answered with a bare 500 that leaks nothing.
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    return problemResponse(c, err.status, err.code, err.message, err.extra, err.headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'REQUEST_TOO_LARGE' : status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`;
    return problemResponse(c, status, code, err.message || 'The request could not be handled.');
  }
  if (err instanceof SyntaxError && /JSON/i.test(err.message)) {
    return problemResponse(c, 400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  }
  const log = c.get('log');
  (log ?? console).error({ err }, 'unhandled error');
  return problemResponse(c, 500, 'INTERNAL', 'An unexpected error occurred.');
}

/**
 * Request id, trace context, per-request child logger and the latency histogram. The rest of the
 * request runs inside its trace, so every log line and every event it writes carries the trace id.
 */
export function requestContext(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    const trace = traceOfRequest(c.req.header('traceparent'), requestId);
    c.set('requestId', requestId);
    c.set('trace', trace);
    c.set('log', logger.child({ requestId }));
    c.header('x-request-id', requestId);
    const start = performance.now();
    try {
      await runWithTrace(trace, next);
    } finally {
      metrics.httpDuration.observe(
        { method: c.req.method, route: routeLabel(c), status: String(c.res.status) },
        (performance.now() - start) / 1000,
      );
    }
  };
}

/**
 * The pattern of the route that answered (`/api/tickets/:id`), never the raw path: one series per
 * route, however many ids are requested. A request no route took is `unmatched`.
 */
export function routeLabel(c: Context): string {
  const route = c.req.routePath;
  return !route || route === '*' || route === '/*' ? 'unmatched' : route;
}

export function createServiceApp(deps: ServiceAppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook });
  app.use('*', deps.requestContext ?? requestContext(deps.logger, deps.metrics));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(deps.readiness ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ready = false;
        checks[name] = err instanceof Error ? err.message : 'failed';
      }
    }
    return c.json({ status: ready ? 'ok' : 'unavailable', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  app.notFound((c) =>
    problemResponse(c, 404, 'ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`),
  );
  app.onError(handleError);
  return app;
}

/** Registers the service's OpenAPI 3.1 document at /openapi.json. */
export function serveOpenApi(app: OpenAPIHono<AppEnv>, title: string, version = '0.1.0'): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title, version } });
}
