import { TooManyRequestsError } from '@helpdesk/kit';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { clientAddress, rateLimitKey } from '../domain/client-address.ts';
import type { FixedWindowLimiter, RateLimitDecision } from '../domain/rate-limiter.ts';
import type { GatewayEnv } from '../gateway-env.ts';

const limited = (d: RateLimitDecision, who: string) =>
  new TooManyRequestsError(
    'RATE_LIMIT_EXCEEDED',
    `Too many requests from this ${who}; retry in ${d.resetSec} s.`,
    d.resetSec,
  );

function peerOf(c: Context<GatewayEnv>): string {
  return c.env?.incoming ? (getConnInfo(c).remote.address ?? 'unknown') : 'unknown';
}

/**
 * Every request counts against its client address; sets `peer` for `x-forwarded-for` and
 * `clientAddress` for `x-client-ip`.
 */
export function ipRateLimit(limiter: FixedWindowLimiter, trustedHops: number): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const peer = peerOf(c);
    c.set('peer', peer);
    const address = clientAddress(
      peer,
      trustedHops ? c.req.header('x-forwarded-for') : undefined,
      trustedHops,
    );
    c.set('clientAddress', address);
    const d = limiter.hit(rateLimitKey(address));
    c.set('rateLimit', { ...d, policy: limiter.policy });
    if (!d.allowed) throw limited(d, 'address');
    await next();
  };
}

/**
 * Authenticated requests also count against their user (`sub`), whichever address they come
 * from. The headers report whichever of the two limits is closer to running out.
 */
export function userRateLimit(
  limiter: FixedWindowLimiter,
  ipLimiter: FixedWindowLimiter,
): MiddlewareHandler<GatewayEnv> {
  const policy = `${ipLimiter.policy}, ${limiter.policy}`;
  return async (c, next) => {
    const principal = c.get('principal');
    if (principal) {
      const d = limiter.hit(principal.sub);
      const ip = c.get('rateLimit');
      if (!ip || d.remaining < ip.remaining || !d.allowed) c.set('rateLimit', { ...d, policy });
      else ip.policy = policy;
      if (!d.allowed) throw limited(d, 'user');
    }
    await next();
  };
}
