import { sessionRevoked } from '../domain/events.ts';
import {
  RefreshTokenInvalidError,
  RefreshTokenReusedError,
  UserInactiveError,
} from '../domain/identity.errors.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import { withRevocation } from '../domain/revocation.ts';
import { parseRefreshToken, rotateSession, withoutSession } from '../domain/session.ts';
import type { SessionTokens } from './log-in.ts';

/**
 * Trades a refresh token for a new access token and a new refresh token (rotation). A token
 * that was already traded in means two parties hold the session: it is revoked at once, here
 * and, through `session.revoked`, in every other service.
 */
export async function refreshSession(
  deps: IdentityDeps,
  refresh: string,
  correlationId?: string,
): Promise<SessionTokens> {
  const token = parseRefreshToken(refresh);
  if (!token) throw new RefreshTokenInvalidError();

  const outcome = await retryOnConflict(async () => {
    const record = await deps.users.findRecord({ sessionId: token.sessionId });
    if (!record) throw new RefreshTokenInvalidError();
    const now = deps.clock();
    const rotation = rotateSession(record.sessions, token, now, deps.settings.refreshTtl);
    if (rotation.kind === 'invalid') throw new RefreshTokenInvalidError();
    if (rotation.kind === 'reused') {
      const expiresAt = new Date(now.getTime() + deps.settings.accessTtl * 1000);
      const event = deps.events.envelope(
        sessionRevoked(
          record,
          {
            sessionId: token.sessionId,
            jti: null,
            notBefore: null,
            expiresAt: expiresAt.toISOString(),
            reason: 'refresh_reuse',
          },
          record.version + 1,
          { actor: { type: 'system', id: 'identity' }, ...(correlationId ? { correlationId } : {}) },
        ),
      );
      deps.revocations.revokeSession(token.sessionId, expiresAt.getTime());
      const done = await deps.users.update(
        record.orgId,
        record.id,
        { version: record.version, sessionsRev: record.sessionsRev },
        {
          sessions: withoutSession(record.sessions, token.sessionId, now),
          revocations: withRevocation(
            record.revocations,
            { sessionId: token.sessionId, jti: null, revokedAt: now, expiresAt },
            now,
          ),
          events: [event],
        },
      );
      return done && ({ kind: 'reused' } as const);
    }
    if (!record.active) throw new UserInactiveError();
    const user = await deps.users.update(
      record.orgId,
      record.id,
      { sessionsRev: record.sessionsRev },
      { sessions: rotation.sessions },
    );
    return (
      user &&
      ({ kind: 'rotated', user, refresh: rotation.refresh, validFrom: record.tokensValidFrom } as const)
    );
  });

  if (outcome.kind === 'reused') {
    deps.events.kick();
    throw new RefreshTokenReusedError();
  }
  const access = await deps.tokens.issue(
    { sub: outcome.user.id, org: outcome.user.orgId, role: outcome.user.role, sid: token.sessionId },
    outcome.validFrom,
  );
  return { user: outcome.user, access, refresh: outcome.refresh, sessionId: token.sessionId };
}
