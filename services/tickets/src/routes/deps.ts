import type { AppEnv, TokenVerifier } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import type { TicketsDeps } from '../use-cases/deps.ts';

export interface RouteDeps {
  tickets: TicketsDeps;
  verifier: TokenVerifier;
  /** Replays a POST's first answer for a repeated `Idempotency-Key` (after authentication). */
  idempotency: MiddlewareHandler<AppEnv>;
}
