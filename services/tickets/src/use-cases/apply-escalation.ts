import {
  type Envelope,
  type EscalationAction,
  isStaff,
  type Priority,
  TICKET_PRIORITIES,
  type TicketEscalatedEvent,
} from '@helpdesk/contracts';
import { isFinal } from '../domain/status-machine.ts';
import type { Ticket } from '../domain/ticket.ts';
import { TicketNotFoundError } from '../domain/tickets.errors.ts';
import { assignmentPlan } from './assign-ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { type Acting, diff, mutateTicket, type Plan } from './mutate-ticket.ts';
import { mergePlans } from './status-change.ts';
import { ticketEvents } from './ticket-events.ts';

/** The sla service acts on tickets under this id. */
export const SLA_ACTOR_ID = 'sla';

export interface SkippedAction {
  action: EscalationAction['type'];
  reason: string;
}

/**
 * `applied`: written with its events. `duplicate`: its key was applied before (a redelivery, or
 * the same escalation published twice). `unchanged`: nothing to change (its level is not above
 * the ticket's and its actions change nothing). `final`: the ticket is closed or cancelled.
 * `not_found`: no such ticket in the event's org.
 */
export type EscalationOutcome =
  | { result: 'applied' | 'duplicate' | 'unchanged' | 'final'; ticket: Ticket; skipped: SkippedAction[] }
  | { result: 'not_found'; skipped: SkippedAction[] };

const rank = (p: Priority) => TICKET_PRIORITIES.indexOf(p);

/** `to` when it is higher, else one step up; never lower, and `critical` stays. */
export function raisedPriority(current: Priority, to: Priority | undefined): Priority {
  if (to !== undefined) return rank(to) > rank(current) ? to : current;
  return TICKET_PRIORITIES[Math.min(rank(current) + 1, TICKET_PRIORITIES.length - 1)] ?? current;
}

/**
 * Applies one `ticket.escalated`: the ticket's escalation level becomes the higher of its own and
 * the event's, and the ladder's actions run (`reassign`, `raise_priority`; `notify` is the
 * notifier's). Everything is one change through `mutateTicket` carrying the escalation's key,
 * which the repository refuses once applied, so a redelivered or republished escalation changes
 * nothing, whatever its event id.
 *
 * A lower level than the ticket's does not lower it, but its actions still run: keys tell
 * escalations apart (clock, cycle, level), so a lower level is another clock's ladder or a new
 * cycle, not a repeat. A closed or cancelled ticket is left alone: it can never change again, so
 * skipping it is as final as recording it, and it needs no write without an event.
 */
export async function applyEscalation(
  deps: TicketsDeps,
  event: Envelope<TicketEscalatedEvent['data']>,
): Promise<EscalationOutcome> {
  const { ticketId, actions } = event.data;
  const acting: Acting = { kind: 'system', id: SLA_ACTOR_ID, orgId: event.orgId };
  const skipped: SkippedAction[] = [];
  const assigneeId = await eligibleAssignee(deps, event.orgId, actions, skipped);

  // What the last attempt read and planned: mutateTicket may plan again after a concurrent write.
  let read = undefined as Ticket | undefined;
  let planned = null as Plan | null;
  const plan = (t: Ticket): Plan | null => {
    read = t;
    planned = isFinal(t.status) ? null : escalationPlan(t, event.data, assigneeId, deps.clock());
    return planned;
  };

  let ticket: Ticket;
  try {
    ticket = await mutateTicket(deps, acting, ticketId, plan, {
      correlationId: event.correlationId,
      causationId: event.id,
    });
  } catch (err) {
    if (err instanceof TicketNotFoundError) return { result: 'not_found', skipped };
    throw err;
  }
  if (isFinal(ticket.status) && planned === null) return { result: 'final', ticket, skipped };
  if (planned === null) return { result: 'unchanged', ticket, skipped };
  // A plan that did not land on the version it read: the key was there already.
  const applied = read !== undefined && ticket.version > read.version;
  return { result: applied ? 'applied' : 'duplicate', ticket, skipped };
}

/** The change one escalation makes to `t`, with its key; null when it changes nothing. */
export function escalationPlan(
  t: Ticket,
  e: Pick<TicketEscalatedEvent['data'], 'level' | 'key' | 'actions'>,
  assigneeId: string | null,
  now: Date,
): Plan | null {
  let priority = t.priority;
  for (const a of e.actions) if (a.type === 'raise_priority') priority = raisedPriority(priority, a.to);
  const changes = diff(t, { escalationLevel: Math.max(t.escalationLevel, e.level), priority });
  const set = Object.fromEntries(changes.map((c) => [c.field, c.new])) as Partial<Ticket>;
  let p: Plan | null = changes.length
    ? { set, history: changes, events: [ticketEvents.updated(changes)] }
    : null;
  const reassign =
    assigneeId === null ? null : assignmentPlan({ ...t, ...set }, assigneeId, now, 'escalation');
  if (reassign) p = p ? mergePlans(p, reassign) : reassign;
  return p && { ...p, escalation: { key: e.key, level: e.level, at: now } };
}

/**
 * The first `reassign` target that is an active agent or admin of the org, looked up before the
 * write (a plan cannot wait on IO). Any other target is skipped and reported; the escalation's
 * other actions still apply.
 */
async function eligibleAssignee(
  deps: Pick<TicketsDeps, 'users'>,
  orgId: string,
  actions: EscalationAction[],
  skipped: SkippedAction[],
): Promise<string | null> {
  let chosen: string | null = null;
  for (const a of actions) {
    if (a.type !== 'reassign') continue;
    if (chosen !== null) {
      skipped.push({ action: a.type, reason: `one reassignment per escalation; ${chosen} was taken` });
      continue;
    }
    const user = await deps.users.find(orgId, a.assigneeId);
    if (user?.active && isStaff(user.role)) chosen = user.id;
    else
      skipped.push({ action: a.type, reason: `${a.assigneeId} is not an active agent or admin of the org` });
  }
  return chosen;
}
