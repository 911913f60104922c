import type { Principal } from '@helpdesk/kit';
import { sessionRevoked } from '../domain/events.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import { withRevocation } from '../domain/revocation.ts';
import { withoutSession } from '../domain/session.ts';

/**
 * Ends the caller's login session: its refresh token stops working, and so do the presented
 * access token and every other access token of the session (`sid`), everywhere.
 */
export async function logOut(
  deps: IdentityDeps,
  principal: Principal,
  correlationId?: string,
): Promise<void> {
  const now = deps.clock();
  // Covers every access token of the session, the oldest of which may expire before this one.
  const expiresAt = new Date(Math.max(principal.exp * 1000, now.getTime() + deps.settings.accessTtl * 1000));
  // In-process first: this replica refuses the token even if the write below fails.
  deps.revocations.revokeToken(principal.jti, principal.exp * 1000);
  if (principal.sid) deps.revocations.revokeSession(principal.sid, expiresAt.getTime());

  const written = await retryOnConflict(async () => {
    const record = await deps.users.findRecord({ orgId: principal.org, id: principal.sub });
    if (!record) return false;
    const event = deps.events.envelope(
      sessionRevoked(
        record,
        {
          sessionId: principal.sid ?? null,
          jti: principal.jti,
          notBefore: null,
          expiresAt: expiresAt.toISOString(),
          reason: 'logout',
        },
        record.version + 1,
        {
          actor: { type: 'user', id: principal.sub, role: principal.role },
          ...(correlationId ? { correlationId } : {}),
        },
      ),
    );
    const sessions = principal.sid ? withoutSession(record.sessions, principal.sid, now) : record.sessions;
    // Kept with the user so that a process starting later learns it from the snapshot.
    const revocations = withRevocation(
      record.revocations,
      { sessionId: principal.sid ?? null, jti: principal.jti, revokedAt: now, expiresAt },
      now,
    );
    const done = await deps.users.update(
      record.orgId,
      record.id,
      { version: record.version, sessionsRev: record.sessionsRev },
      { sessions, revocations, events: [event] },
    );
    return done && true;
  });
  if (written) deps.events.kick();
}
