import { isStaff, type Priority } from '@helpdesk/contracts';
import { type Caller, canEditFields } from '../domain/access.ts';
import { normalizeTags, type Ticket } from '../domain/ticket.ts';
import { TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { diff, type MutateOptions, mutateTicket, type Plan } from './mutate-ticket.ts';
import { checkCategory } from './ticket-checks.ts';
import { ticketEvents } from './ticket-events.ts';

export interface UpdateTicketInput {
  title?: string | undefined;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priority?: Priority | undefined;
  tags?: string[] | undefined;
}

/**
 * The plan that edits the ticket's own fields; null when nothing changes, which needs no
 * permission (a client may send back what it read).
 */
export function editPlan(caller: Caller, t: Ticket, input: UpdateTicketInput): Plan | null {
  const set: Partial<Ticket> = {};
  if (input.title !== undefined) set.title = input.title;
  if (input.description !== undefined) set.description = input.description;
  if (input.categoryId !== undefined) set.categoryId = input.categoryId;
  if (input.priority !== undefined) set.priority = input.priority;
  if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
  const changes = diff(t, set);
  if (changes.length === 0) return null;
  if (!canEditFields(caller, t)) {
    throw new TicketForbiddenError('You may edit your ticket only while it is open.');
  }
  if (changes.some((c) => c.field === 'priority') && !isStaff(caller.role)) {
    throw new TicketForbiddenError('Only staff change the priority.');
  }
  const changed = Object.fromEntries(changes.map((c) => [c.field, c.new])) as Partial<Ticket>;
  return { set: changed, history: changes, events: [ticketEvents.updated(changes)] };
}

/** Edits the ticket's own fields (not status or assignee, which have their own endpoints). */
export async function updateTicket(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  input: UpdateTicketInput,
  opts: MutateOptions = {},
): Promise<Ticket> {
  if (input.categoryId)
    await checkChangedCategory(deps, await getTicket(deps, caller, idOrKey), input.categoryId);
  return mutateTicket(deps, caller, idOrKey, (t) => editPlan(caller, t, input), opts);
}

/**
 * A category the ticket is moved to must take new tickets; the one it already has needs no
 * check (a client sending back what it read must not fail because the category was deactivated).
 */
export async function checkChangedCategory(
  deps: Pick<TicketsDeps, 'categories'>,
  current: Ticket,
  categoryId: string,
): Promise<void> {
  if (current.categoryId === categoryId) return;
  await checkCategory(deps, current.orgId, categoryId);
}
