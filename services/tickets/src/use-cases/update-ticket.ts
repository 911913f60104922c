import { isStaff, type Priority } from '@helpdesk/contracts';
import { type Caller, canEditFields } from '../domain/access.ts';
import { normalizeTags, type Ticket } from '../domain/ticket.ts';
import { CategoryNotFoundError, invalidField, TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { diff, type MutateOptions, mutateTicket } from './mutate-ticket.ts';
import { ticketEvents } from './ticket-events.ts';

export interface UpdateTicketInput {
  title?: string | undefined;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priority?: Priority | undefined;
  tags?: string[] | undefined;
}

/** Edits the ticket's own fields (not status or assignee, which have their own endpoints). */
export async function updateTicket(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  input: UpdateTicketInput,
  opts: MutateOptions = {},
): Promise<Ticket> {
  if (input.categoryId) {
    const category = await deps.categories.find(caller.orgId, input.categoryId);
    if (!category) throw new CategoryNotFoundError();
    if (!category.active)
      throw invalidField('categoryId', 'this category is inactive and takes no new tickets');
  }
  return mutateTicket(
    deps,
    caller,
    idOrKey,
    (t) => {
      if (!canEditFields(caller, t)) {
        throw new TicketForbiddenError('You may edit your ticket only while it is open.');
      }
      if (input.priority !== undefined && !isStaff(caller.role)) {
        throw new TicketForbiddenError('Only staff change the priority.');
      }
      const set: Partial<Ticket> = {};
      if (input.title !== undefined) set.title = input.title;
      if (input.description !== undefined) set.description = input.description;
      if (input.categoryId !== undefined) set.categoryId = input.categoryId;
      if (input.priority !== undefined) set.priority = input.priority;
      if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
      const changes = diff(t, set);
      if (changes.length === 0) return null;
      const changed = Object.fromEntries(changes.map((c) => [c.field, c.new])) as Partial<Ticket>;
      return { set: changed, history: changes, events: [ticketEvents.updated(changes)] };
    },
    opts,
  );
}
