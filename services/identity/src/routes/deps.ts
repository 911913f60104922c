import type { TokenVerifier } from '@helpdesk/kit';
import type { IdentityDeps } from '../domain/ports.ts';
import type { IdentityMetrics } from '../infra/identity-metrics.ts';
import type { KeyStore } from '../infra/key-store.ts';

export interface RouteDeps {
  identity: IdentityDeps;
  verifier: TokenVerifier;
  keys: KeyStore;
  metrics: IdentityMetrics;
  trustProxy: boolean;
  /** Required on `/internal/*` when set (INTERNAL_TOKEN). */
  internalToken?: string | undefined;
}
