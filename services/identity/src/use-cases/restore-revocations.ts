import type { IdentityDeps } from '../domain/ports.ts';

/**
 * The revocation list lives in memory, so a fresh replica starts empty. Cut-offs (role
 * changes, deactivations) are on the user records, so the ones still relevant, those younger
 * than an access token's lifetime, are reapplied before the replica serves.
 */
export async function restoreRevocations(
  deps: Pick<IdentityDeps, 'users' | 'revocations' | 'clock' | 'settings'>,
): Promise<number> {
  const ttlMs = deps.settings.accessTtl * 1000;
  const cutoffs = await deps.users.tokenCutoffs(new Date(deps.clock().getTime() - ttlMs));
  for (const { userId, at } of cutoffs)
    deps.revocations.revokeSubject(userId, at.getTime(), at.getTime() + ttlMs);
  return cutoffs.length;
}
