import { isStaff } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import type { Category } from '../domain/ports.ts';
import { CategoryNotFoundError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';

/**
 * One category of the caller's org. Customers see active categories only (the ones they may open
 * a ticket in); an inactive one is as absent for them as another org's.
 */
export async function getCategory(
  deps: Pick<TicketsDeps, 'categories'>,
  caller: Caller,
  id: string,
): Promise<Category> {
  const category = await deps.categories.find(caller.orgId, id);
  if (!category || (!isStaff(caller.role) && !category.active)) throw new CategoryNotFoundError();
  return category;
}
