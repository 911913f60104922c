import type { Role } from '@helpdesk/contracts';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { bearerToken, type TokenVerifier } from './token-verifier.ts';

/** Rejects requests without a valid, unrevoked access token; sets `principal`. */
export function requireAuth(verifier: TokenVerifier): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new UnauthorizedError();
    c.set('principal', await verifier.verify(token));
    await next();
  };
}

/** Must follow `requireAuth`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get('principal').role)) throw new ForbiddenError();
    await next();
  };
}
