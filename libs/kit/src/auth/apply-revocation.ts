import type { SessionRevokedEvent } from '@helpdesk/contracts';
import type { RevocationList } from './revocation-list.ts';

/** Applies a `session.revoked` event; shared by the gateway and every service's consumer. */
export function applyRevocation(list: RevocationList, event: SessionRevokedEvent): void {
  const { jti, sessionId, userId, notBefore, expiresAt } = event.data;
  const exp = Date.parse(expiresAt);
  if (jti) list.revokeToken(jti, exp);
  if (sessionId) list.revokeSession(sessionId, exp);
  if (notBefore) list.revokeSubject(userId, Date.parse(notBefore), exp);
}
