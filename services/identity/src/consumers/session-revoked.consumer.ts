import { IdentityEvents, type SessionRevokedEvent, SessionRevokedEventSchema } from '@helpdesk/contracts';
import { applyRevocation, type RevocationList } from '@helpdesk/kit';
import type { Broker, Consumer } from '@helpdesk/messaging';

/**
 * Revocations made by other replicas. Each replica needs every one of them, so each gets its
 * own exclusive queue (fan-out) rather than a share of a common one. Applying a revocation
 * twice changes nothing, so redeliveries need no dedupe.
 */
export function consumeSessionRevoked(broker: Broker, revocations: RevocationList): Promise<Consumer> {
  return broker.consume<SessionRevokedEvent['data']>({
    queue: 'identity.session-revoked',
    bindings: [IdentityEvents.SessionRevoked],
    schema: SessionRevokedEventSchema,
    exclusive: true,
    handler: async (event) => applyRevocation(revocations, event as SessionRevokedEvent),
  });
}
