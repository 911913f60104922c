import type { TicketStatus } from '@helpdesk/contracts';
import { type Caller, canAssign, canChangeStatus } from '../domain/access.ts';
import type { Ticket } from '../domain/ticket.ts';
import { invalidField, TicketForbiddenError } from '../domain/tickets.errors.ts';
import { assignmentPlan, checkAssignee } from './assign-ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { type MutateOptions, mutateTicket, type Plan } from './mutate-ticket.ts';
import { mergePlans, statusPlan } from './status-change.ts';
import { checkChangedCategory, editPlan, type UpdateTicketInput } from './update-ticket.ts';

export interface ReplaceTicketInput extends UpdateTicketInput {
  /** Present: the assignee it must have (admins only when it changes). */
  assigneeId?: string | null | undefined;
  /** Present: the status it must have (staff only when it changes). */
  status?: TicketStatus | undefined;
}

/**
 * System B's `PUT /api/helpdesk/tickets/{org_id}/{pk}`: the fields, the assignee and the status in
 * one request, applied as one change (edit, then assignment, then status, each checked as its own
 * endpoint would), so a refused part leaves the ticket untouched. A part equal to what the ticket
 * already has is no change and needs no permission, so a client may send back what it read.
 */
export async function replaceTicket(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  input: ReplaceTicketInput,
  opts: MutateOptions = {},
): Promise<Ticket> {
  // One read for both checks; what changes is checked, what is sent back unchanged is not.
  if (input.categoryId || input.assigneeId) {
    const current = await getTicket(deps, caller, idOrKey);
    if (input.categoryId) await checkChangedCategory(deps, current, input.categoryId);
    if (input.assigneeId && current.assigneeId !== input.assigneeId) {
      await checkAssignee(deps, caller.orgId, input.assigneeId);
    }
  }
  return mutateTicket(
    deps,
    caller,
    idOrKey,
    (t) => {
      const now = deps.clock();
      const parts: Plan[] = [];
      let current = t;
      const add = (p: Plan | null) => {
        if (!p) return;
        parts.push(p);
        current = { ...current, ...p.set };
      };
      const { assigneeId: _a, status: _s, ...fields } = input;
      add(editPlan(caller, current, fields));
      if (input.assigneeId !== undefined && input.assigneeId !== current.assigneeId) {
        if (!canAssign(caller)) throw new TicketForbiddenError('Only admins assign tickets.');
        if (current.status === 'closed' || current.status === 'cancelled') {
          throw invalidField('assigned_to', `a ${current.status} ticket cannot be reassigned`);
        }
        add(assignmentPlan(current, input.assigneeId, now, 'manual'));
      }
      if (input.status !== undefined && input.status !== current.status) {
        if (!canChangeStatus(caller)) throw new TicketForbiddenError('Only staff change the status.');
        add(statusPlan(current, input.status, now));
      }
      return parts.length === 0 ? null : parts.reduce(mergePlans);
    },
    opts,
  );
}
