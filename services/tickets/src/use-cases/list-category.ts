import { isStaff } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import type { Category } from '../domain/ports.ts';
import type { TicketsDeps } from './deps.ts';

export interface CategoryListQuery {
  active?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * A page of the org's categories by name. Staff see all of them; customers only the active ones,
 * so asking for inactive ones gives them an empty page.
 */
export async function listCategories(
  deps: Pick<TicketsDeps, 'categories'>,
  caller: Caller,
  query: CategoryListQuery,
): Promise<{ results: Category[]; next: string | null }> {
  const active = isStaff(caller.role) ? query.active : true;
  if (!isStaff(caller.role) && query.active === false) return { results: [], next: null };
  return deps.categories.list(caller.orgId, {
    limit: query.limit,
    ...(active !== undefined ? { active } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}
