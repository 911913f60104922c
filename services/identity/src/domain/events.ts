import { IdentityEvents, type SessionRevokedEvent } from '@helpdesk/contracts';
import type { Caller, EventInput } from './ports.ts';
import { toSnapshot, type User } from './user.ts';

/*
 * Every identity event has the user as its aggregate, session revocations included, so one
 * counter (the user's `version`) orders all of them: `sequence` is the version the user has
 * once the event's write is done.
 */

const base = (user: User, sequence: number, caller: Caller) => ({
  orgId: user.orgId,
  aggregateId: user.id,
  sequence,
  actor: caller.actor,
  ...(caller.correlationId ? { correlationId: caller.correlationId } : {}),
});

export function userRegistered(user: User, caller: Caller): EventInput {
  return {
    type: IdentityEvents.UserRegistered,
    ...base(user, user.version, caller),
    data: { user: toSnapshot(user) },
  };
}

/** `after` is the user as the write leaves it. */
export function userUpdated(after: User, changed: string[], sequence: number, caller: Caller): EventInput {
  return {
    type: IdentityEvents.UserUpdated,
    ...base(after, sequence, caller),
    data: { user: toSnapshot(after), changed },
  };
}

export type RevocationData = SessionRevokedEvent['data'];

export function sessionRevoked(
  user: User,
  data: Omit<RevocationData, 'userId'>,
  sequence: number,
  caller: Caller,
): EventInput {
  return {
    type: IdentityEvents.SessionRevoked,
    ...base(user, sequence, caller),
    data: { userId: user.id, ...data } satisfies RevocationData,
  };
}
