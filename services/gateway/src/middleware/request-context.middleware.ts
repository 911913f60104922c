import type { Metrics } from '@helpdesk/kit';
import { childSpan, parseTraceparent, requestIdFrom, startTrace } from '@helpdesk/kit';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';
import type { AppliedRateLimit, GatewayEnv } from '../gateway-env.ts';
import { readRequestHead } from '../infra/forward-headers.ts';

/** Appends the `RateLimit-*` headers (draft-ietf-httpapi-ratelimit-headers) to a flat list. */
export function pushRateLimitHeaders(out: string[], rl: AppliedRateLimit): string[] {
  out.push(
    'ratelimit-limit',
    String(rl.limit),
    'ratelimit-remaining',
    String(rl.remaining),
    'ratelimit-reset',
    String(rl.resetSec),
    'ratelimit-policy',
    rl.policy,
  );
  return out;
}

/** Raw header list of a request outside Node's server (`app.request()` in tests). */
export function flatHeaders(headers: Headers): string[] {
  const out: string[] = [];
  headers.forEach((v, k) => {
    out.push(k, v);
  });
  return out;
}

type Observe = (seconds: number) => void;

/**
 * Reads the request head once, sets the request id and the trace context, decorates responses and feeds the latency
 * histogram, without the per-request child logger the services use: on this hot path a child
 * logger costs more than the rest of the middleware together, so one is made only when an
 * error is logged. Responses the proxy writes straight to the socket carry these headers already.
 */
export function gatewayContext(metrics: Metrics): MiddlewareHandler<GatewayEnv> {
  // prom-client hashes the label object on every observation; a child per label set does not.
  const observers = new Map<string, Map<string, Map<number, Observe>>>();
  const observer = (method: string, route: string, status: number): Observe => {
    let byRoute = observers.get(method);
    if (!byRoute) {
      byRoute = new Map();
      observers.set(method, byRoute);
    }
    let byStatus = byRoute.get(route);
    if (!byStatus) {
      byStatus = new Map();
      byRoute.set(route, byStatus);
    }
    let observe = byStatus.get(status);
    if (!observe) {
      const child = metrics.httpDuration.labels({ method, route, status: String(status) });
      observe = (seconds) => child.observe(seconds);
      byStatus.set(status, observe);
    }
    return observe;
  };

  return async (c, next) => {
    const start = performance.now();
    const head = readRequestHead(c.env?.incoming?.rawHeaders ?? flatHeaders(c.req.raw.headers));
    c.set('head', head);
    const requestId = requestIdFrom(head.requestId);
    c.set('requestId', requestId);
    // The caller's trace goes on under a span of the gateway's; a malformed traceparent is
    // replaced by a new trace, and the tracestate that came with it is dropped (W3C, section 4.3).
    const parent = parseTraceparent(head.traceparent);
    if (!parent) head.tracestate = undefined;
    c.set('trace', parent ? childSpan(parent, requestId) : startTrace(requestId));
    await next();
    const res = c.res;
    let status = c.get('sentStatus');
    if (res !== RESPONSE_ALREADY_SENT) {
      status = res.status;
      res.headers.set('x-request-id', requestId);
      const rl = c.get('rateLimit');
      if (rl) {
        const h = pushRateLimitHeaders([], rl);
        for (let i = 0; i < h.length; i += 2) res.headers.set(h[i] as string, h[i + 1] as string);
      }
    }
    const route = c.get('upstream')?.name ?? c.req.routePath;
    observer(c.req.method, route, status)((performance.now() - start) / 1000);
  };
}
