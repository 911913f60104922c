import type { UsersSnapshotPage, UsersSnapshotQuery } from '@helpdesk/contracts';
import type { IdentityDeps } from '../domain/ports.ts';
import { toSnapshot } from '../domain/user.ts';

/**
 * One page of every user, across orgs, for services that keep a copy of the users (the tickets
 * service's assignees and requesters). Each entry carries the user's `version` as `sequence`:
 * every event of a user, session revocations included, is numbered by that counter, so an entry
 * is exactly as new as the latest event written with it, and a consumer that keeps the higher
 * sequence ends up with the same user whichever of the two it sees first.
 */
export async function listUsersSnapshot(
  deps: Pick<IdentityDeps, 'users'>,
  query: UsersSnapshotQuery,
): Promise<UsersSnapshotPage> {
  const rows = await deps.users.listAll({ after: query.after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    results: page.map((u) => ({ ...toSnapshot(u), sequence: u.version })),
    next: rows.length > query.limit && last ? last.id : null,
  };
}
