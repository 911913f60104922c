import { applyRevocationSnapshot } from '@helpdesk/kit';
import type { IdentityDeps } from '../domain/ports.ts';
import { listRevocations } from './list-revocations.ts';

/**
 * The revocation list lives in memory, so a fresh replica starts empty. It reapplies what the
 * user records hold (the same snapshot other services load over HTTP) before it serves; the
 * replica's `session.revoked` consumer must be bound first, so nothing falls in between.
 * Returns the number of entries applied.
 */
export async function restoreRevocations(
  deps: Pick<IdentityDeps, 'users' | 'revocations' | 'clock' | 'settings'>,
): Promise<number> {
  return applyRevocationSnapshot(deps.revocations, await listRevocations(deps));
}
