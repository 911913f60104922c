import {
  IdentityEvents,
  UserRegisteredEventSchema,
  type UserSnapshot,
  UserUpdatedEventSchema,
} from '@helpdesk/contracts';
import type { Broker } from '@helpdesk/messaging';
import { z } from 'zod';
import type { WritableUserDirectory } from '../infra/user-directory.ts';

const UserEventSchema = z.union([UserRegisteredEventSchema, UserUpdatedEventSchema]);

/**
 * Keeps the tickets service's copy of identity's users (assignees, requesters, round-robin
 * groups). Each event carries the whole user, so the latest by `sequence` wins and a stale or
 * repeated delivery changes nothing. Users registered before this queue existed reach the copy
 * only through identity's snapshot (`syncKnownUsers`), loaded once this consumer is bound and
 * again in `onResubscribed`: a queue deleted and declared again missed what was published between.
 */
export function consumeKnownUsers(
  broker: Pick<Broker, 'consume'>,
  users: Pick<WritableUserDirectory, 'record'>,
  opts: { queuePrefix: string; onResubscribed?: () => void },
) {
  return broker.consume<{ user: UserSnapshot }>({
    queue: `${opts.queuePrefix}.users`,
    bindings: [IdentityEvents.UserRegistered, IdentityEvents.UserUpdated],
    schema: UserEventSchema,
    ...(opts.onResubscribed ? { onResubscribed: opts.onResubscribed } : {}),
    handler: async (event, { log }) => {
      const applied = await users.record(event.data.user, event.sequence);
      log.debug({ userId: event.aggregateId, sequence: event.sequence, applied }, 'known user recorded');
    },
  });
}
