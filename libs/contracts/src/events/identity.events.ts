import { z } from 'zod';
import { eventSchema } from '../envelope.ts';
import { RoleSchema } from '../roles.ts';

export const IdentityEvents = {
  UserRegistered: 'user.registered',
  UserUpdated: 'user.updated',
  SessionRevoked: 'session.revoked',
} as const;

export const UserSnapshotSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  username: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  role: RoleSchema,
  active: z.boolean(),
});
export type UserSnapshot = z.infer<typeof UserSnapshotSchema>;

export const UserRegisteredEventSchema = eventSchema(
  IdentityEvents.UserRegistered,
  z.object({ user: UserSnapshotSchema }),
);

export const UserUpdatedEventSchema = eventSchema(
  IdentityEvents.UserUpdated,
  z.object({ user: UserSnapshotSchema, changed: z.array(z.string()) }),
);

/**
 * Access tokens that must stop working before they expire. Either one token (`jti`) or every
 * token of a user issued up to `notBefore` (deactivation, role change, refresh-token reuse).
 * `expiresAt` says when a consumer may forget the entry: no token it covers outlives it.
 */
export const SessionRevokedEventSchema = eventSchema(
  IdentityEvents.SessionRevoked,
  z.object({
    userId: z.string(),
    sessionId: z.string().nullable(),
    jti: z.string().nullable(),
    notBefore: z.iso.datetime({ offset: true }).nullable(),
    expiresAt: z.iso.datetime({ offset: true }),
    reason: z.enum(['logout', 'refresh_reuse', 'deactivated', 'role_changed', 'admin']),
  }),
);
export type SessionRevokedEvent = z.infer<typeof SessionRevokedEventSchema>;
