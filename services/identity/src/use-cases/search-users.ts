import type { Role } from '@helpdesk/contracts';
import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import type { IdentityDeps } from '../domain/ports.ts';
import { type User, usernameKey } from '../domain/user.ts';

export interface UserSearch {
  q?: string | undefined;
  role?: Role | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Staff look up users of their own org, ordered by username; the cursor is the last username. */
export async function searchUsers(
  deps: Pick<IdentityDeps, 'users'>,
  orgId: string,
  search: UserSearch,
): Promise<{ results: User[]; next: string | null }> {
  const after = search.cursor === undefined ? undefined : afterFrom(search.cursor);
  const rows = await deps.users.search(orgId, {
    q: search.q || undefined,
    role: search.role,
    limit: search.limit + 1,
    ...(after !== undefined ? { after } : {}),
  });
  const results = rows.slice(0, search.limit);
  const last = results.at(-1);
  const next = rows.length > search.limit && last ? encodeCursor({ u: usernameKey(last.username) }) : null;
  return { results, next };
}

function afterFrom(cursor: string): string {
  const { u } = decodeCursor(cursor);
  if (typeof u !== 'string')
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  return u;
}
