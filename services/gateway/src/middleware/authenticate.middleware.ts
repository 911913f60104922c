import { bearerToken, type TokenVerifier, UnauthorizedError } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import { isPublicRoute } from '../domain/route-table.ts';
import type { GatewayEnv } from '../gateway-env.ts';

/**
 * Rejects a request without a valid, unrevoked access token before it costs a service
 * anything; public routes pass. The token still travels on, for the service checks it too.
 */
export function authenticate(verifier: TokenVerifier): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (!isPublicRoute(c.req.method, c.req.path)) {
      const token = bearerToken(c.get('head').authorization);
      if (!token) throw new UnauthorizedError();
      c.set('principal', await verifier.verify(token));
    }
    await next();
  };
}
