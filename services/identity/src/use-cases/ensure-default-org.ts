import { DEFAULT_ORG_ID } from '../domain/org.ts';
import type { IdentityDeps } from '../domain/ports.ts';

/** Single-tenant clients never name an org; theirs must exist before anyone registers. */
export function ensureDefaultOrg(deps: Pick<IdentityDeps, 'orgs' | 'clock'>): Promise<void> {
  return deps.orgs.ensure({ id: DEFAULT_ORG_ID, name: 'Default', createdAt: deps.clock() });
}
