import type { MiddlewareHandler } from 'hono';
import type { Connection } from 'mongoose';
import type { AppEnv } from './app.ts';
import type { Logger } from './logger.ts';

export function idempotencyKeys(_opts: {
  conn: Connection;
  logger: Logger;
  ttlMs?: number;
}): MiddlewareHandler<AppEnv> {
  return async (_c, next) => next();
}
