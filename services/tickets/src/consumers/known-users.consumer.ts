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
 * repeated delivery changes nothing.
 */
export function consumeKnownUsers(broker: Pick<Broker, 'consume'>, users: WritableUserDirectory) {
  return broker.consume<{ user: UserSnapshot }>({
    queue: 'tickets.users',
    bindings: [IdentityEvents.UserRegistered, IdentityEvents.UserUpdated],
    schema: UserEventSchema,
    handler: async (event) => {
      await users.record(event.data.user, event.sequence);
    },
  });
}
