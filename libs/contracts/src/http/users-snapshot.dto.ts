import { z } from 'zod';
import { UserSnapshotSchema } from '../events/identity.events.ts';

/*
 * Identity's internal snapshot of every user, across orgs (`GET /internal/users`). A service that
 * keeps a copy of the users from `user.registered` / `user.updated` loads it at start: events
 * reach only the queues that exist when they are published, so users registered before the
 * service's queue first existed (a bootstrap admin) would be missing otherwise.
 */

export const USERS_SNAPSHOT_MAX_LIMIT = 1000;

/** `limit` is clamped rather than refused, like the public lists. */
export const UsersSnapshotQuerySchema = z.object({
  after: z.string().min(1).max(128).optional().describe('The `next` of the previous page: a user id.'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(500)
    .transform((n) => Math.min(n, USERS_SNAPSHOT_MAX_LIMIT)),
});
export type UsersSnapshotQuery = z.infer<typeof UsersSnapshotQuerySchema>;

/**
 * The user as identity's events describe it, with the `sequence` its latest event carries (the
 * user's version), so a consumer orders snapshot entries and events with one rule: the higher
 * sequence wins.
 */
export const UsersSnapshotEntrySchema = UserSnapshotSchema.extend({
  sequence: z.number().int().nonnegative(),
});
export type UsersSnapshotEntry = z.infer<typeof UsersSnapshotEntrySchema>;

/** Ordered by id; `next` is the id to pass as `after`, `null` on the last page. */
export const UsersSnapshotPageSchema = z.object({
  results: z.array(UsersSnapshotEntrySchema),
  next: z.string().nullable(),
});
export type UsersSnapshotPage = z.infer<typeof UsersSnapshotPageSchema>;
