import { isStaff } from '@helpdesk/contracts';
import { type Caller, canAssign } from '../domain/access.ts';
import type { Ticket } from '../domain/ticket.ts';
import { invalidField, TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { diff, type MutateOptions, mutateTicket, type Plan } from './mutate-ticket.ts';
import { mergePlans, statusPlan } from './status-change.ts';
import { ticketEvents } from './ticket-events.ts';

/** Checks that `assigneeId` is an active agent or admin of the org. */
export async function checkAssignee(deps: Pick<TicketsDeps, 'users'>, orgId: string, assigneeId: string) {
  const user = await deps.users.find(orgId, assigneeId);
  if (!user?.active || !isStaff(user.role)) {
    throw invalidField('assigned_to', 'the assignee must be an active agent or admin of your org');
  }
  return user;
}

/**
 * The plan that gives `t` to `assigneeId` (or nobody): an open ticket becomes assigned, an
 * assigned one with nobody left goes back to open.
 */
export function assignmentPlan(
  t: Ticket,
  assigneeId: string | null,
  now: Date,
  via: 'manual' | 'rule' | 'escalation',
  ruleId: string | null = null,
): Plan | null {
  if (t.assigneeId === assigneeId) return null;
  const set = { assigneeId };
  let plan: Plan = { set, history: diff(t, set), events: [ticketEvents.assigned(t.assigneeId, via, ruleId)] };
  const moved = { ...t, assigneeId };
  if (assigneeId !== null && t.status === 'open') plan = mergePlans(plan, statusPlan(moved, 'assigned', now));
  if (assigneeId === null && t.status === 'assigned') plan = mergePlans(plan, statusPlan(moved, 'open', now));
  return plan;
}

/** `POST /api/tickets/{id}/assign/`: admins only. */
export async function assignTicket(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  assigneeId: string | null,
  opts: MutateOptions = {},
): Promise<Ticket> {
  if (!canAssign(caller)) {
    // 404 before 403: a ticket the caller may not see is never confirmed to exist.
    await getTicket(deps, caller, idOrKey);
    throw new TicketForbiddenError('Only admins assign tickets.');
  }
  if (assigneeId !== null) await checkAssignee(deps, caller.orgId, assigneeId);
  return mutateTicket(
    deps,
    caller,
    idOrKey,
    (t) => {
      if (t.status === 'closed' || t.status === 'cancelled') {
        throw invalidField('assigned_to', `a ${t.status} ticket cannot be reassigned`);
      }
      return assignmentPlan(t, assigneeId, deps.clock(), 'manual');
    },
    opts,
  );
}
