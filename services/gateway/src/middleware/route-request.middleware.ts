import { AppError, NotFoundError } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import { hasDotSegment, upstreamFor } from '../domain/route-table.ts';
import type { GatewayEnv } from '../gateway-env.ts';
import type { Upstreams } from '../infra/upstreams.ts';

/** Picks the owning service by path, or answers 404 before anything else is spent. */
export function routeRequest(upstreams: Upstreams): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const name = upstreamFor(c.req.path);
    if (!name) throw new NotFoundError('ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`);
    if (hasDotSegment(c.env?.incoming?.url ?? c.req.url)) {
      throw new AppError('BAD_REQUEST_PATH', 400, 'Dot segments are not allowed in request paths.');
    }
    c.set('upstream', upstreams[name]);
    await next();
  };
}
