import type { AppEnv, TokenVerifier } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import type { SlaDeps } from '../use-cases/deps.ts';

export interface RouteDeps {
  sla: SlaDeps;
  verifier: TokenVerifier;
  /** Replays a POST's first answer for a repeated `Idempotency-Key` (after authentication). */
  idempotency: MiddlewareHandler<AppEnv>;
}
