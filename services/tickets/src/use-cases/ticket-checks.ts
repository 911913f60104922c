import { isStaff } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import { CategoryNotFoundError, invalidField } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';

/*
 * Checks shared by creating, editing and dry-running a ticket. Errors name the API's fields
 * (`category`, `created_by`), so a client can show them next to its inputs.
 */

/** The category must exist in the caller's org and take new tickets. */
export async function checkCategory(
  deps: Pick<TicketsDeps, 'categories'>,
  orgId: string,
  categoryId: string | null,
) {
  if (categoryId === null) return;
  const category = await deps.categories.find(orgId, categoryId);
  if (!category) throw new CategoryNotFoundError();
  if (!category.active) throw invalidField('category', 'this category is inactive and takes no new tickets');
}

/** Who the ticket is for: the caller, or (staff only) an active user of the org. */
export async function resolveRequester(
  deps: Pick<TicketsDeps, 'users'>,
  caller: Caller,
  requesterId: string | undefined,
): Promise<string> {
  if (requesterId === undefined || requesterId === caller.id) return caller.id;
  if (!isStaff(caller.role))
    throw invalidField('created_by', 'only staff create tickets on behalf of someone else');
  const requester = await deps.users.find(caller.orgId, requesterId);
  if (!requester?.active) throw invalidField('created_by', 'no active user with this id in your org');
  return requester.id;
}
