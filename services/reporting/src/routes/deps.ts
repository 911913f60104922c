import type { AppEnv, TokenVerifier } from '@helpdesk/kit';
import { requireAuth } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import { ReportsForbiddenError } from '../domain/reports.errors.ts';
import type { ReportingDeps } from '../use-cases/deps.ts';

export interface RouteDeps {
  reporting: ReportingDeps;
  verifier: TokenVerifier;
  /** Required in `x-internal-token` on `/internal/*`; those routes refuse everything while unset. */
  internalToken?: string | undefined;
}

/** Reports are admin-only (DESIGN.md section 3): users and agents get 403. */
export function adminOnly(deps: RouteDeps): MiddlewareHandler<AppEnv>[] {
  return [
    requireAuth(deps.verifier),
    async (c, next) => {
      if (c.get('principal').role !== 'admin') throw new ReportsForbiddenError();
      await next();
    },
  ];
}
