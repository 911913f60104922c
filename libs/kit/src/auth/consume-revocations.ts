import { IdentityEvents, type SessionRevokedEvent, SessionRevokedEventSchema } from '@helpdesk/contracts';
import type { Broker, Consumer } from '@helpdesk/messaging';
import { applyRevocation } from './apply-revocation.ts';
import type { RevocationList } from './revocation-list.ts';

/**
 * Feeds `session.revoked` events into a process's revocation list. Every replica of every service
 * needs every revocation, so each reads its own exclusive, server-named queue (fan-out) rather than
 * a share of a common one; applying a revocation twice changes nothing, so redeliveries need no
 * dedupe. Bind this before loading identity's snapshot (`loadRevocations`), so nothing falls
 * between the two, and reload the snapshot in `onResubscribed`: the exclusive queue dies with a
 * lost connection, and what was published meanwhile reaches this process only that way.
 */
export function consumeSessionRevoked(
  broker: Pick<Broker, 'consume'>,
  revocations: RevocationList,
  service: string,
  opts: { onResubscribed?: () => void } = {},
): Promise<Consumer> {
  return broker.consume<SessionRevokedEvent['data']>({
    queue: `${service}.session-revoked`,
    bindings: [IdentityEvents.SessionRevoked],
    schema: SessionRevokedEventSchema,
    exclusive: true,
    ...(opts.onResubscribed ? { onResubscribed: opts.onResubscribed } : {}),
    handler: async (event, { log }) => {
      applyRevocation(revocations, event as SessionRevokedEvent);
      log.debug({ reason: event.data.reason }, 'revocation applied');
    },
  });
}
