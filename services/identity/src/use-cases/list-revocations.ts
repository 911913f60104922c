import type { RevocationEntry, RevocationSnapshot } from '@helpdesk/contracts';
import type { IdentityDeps } from '../domain/ports.ts';

/**
 * Every access-token revocation still in force, from the user records: revoked sessions and
 * tokens (logout, refresh-token reuse) and subject cut-offs (deactivation, role change) younger
 * than one token lifetime. Served to other processes at their start and replayed by identity's
 * own replicas, so that a revocation outlives a restart without its event.
 */
export async function listRevocations(
  deps: Pick<IdentityDeps, 'users' | 'clock' | 'settings'>,
): Promise<RevocationSnapshot> {
  // Taken before the reads: a revocation written after it may be missing, and arrives as an event.
  const now = deps.clock();
  const ttlMs = deps.settings.accessTtl * 1000;
  const [revoked, cutoffs] = await Promise.all([
    deps.users.revocationsInForce(now),
    deps.users.tokenCutoffs(new Date(now.getTime() - ttlMs)),
  ]);
  const entries: RevocationEntry[] = [];
  for (const r of revoked) {
    const expiresAt = r.expiresAt.toISOString();
    if (r.sessionId) entries.push({ kind: 'session', sid: r.sessionId, expiresAt });
    if (r.jti) entries.push({ kind: 'token', jti: r.jti, expiresAt });
  }
  for (const { userId, at } of cutoffs) {
    entries.push({
      kind: 'subject',
      sub: userId,
      notBefore: at.toISOString(),
      expiresAt: new Date(at.getTime() + ttlMs).toISOString(),
    });
  }
  return { generatedAt: now.toISOString(), entries };
}
