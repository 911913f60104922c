import { IdentityEvents, type SessionRevokedEvent, SessionRevokedEventSchema } from '@helpdesk/contracts';
import { applyRevocation, type RevocationList } from '@helpdesk/kit';
import type { Broker, Consumer } from '@helpdesk/messaging';

/**
 * Every gateway instance must learn every revocation, so each one reads its own exclusive,
 * server-named queue (fan-out) rather than sharing a work queue with the others.
 */
export function consumeSessionRevoked(broker: Broker, revocations: RevocationList): Promise<Consumer> {
  return broker.consume<SessionRevokedEvent['data']>({
    queue: 'gateway.session-revoked',
    bindings: [IdentityEvents.SessionRevoked],
    schema: SessionRevokedEventSchema,
    exclusive: true,
    handler: async (event, { log }) => {
      applyRevocation(revocations, event as SessionRevokedEvent);
      log.debug({ reason: event.data.reason }, 'revocation applied');
    },
  });
}
