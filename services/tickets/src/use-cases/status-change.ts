import type { TicketStatus } from '@helpdesk/contracts';
import { allowedTransitions, canTransition, isReopen } from '../domain/status-machine.ts';
import type { Ticket } from '../domain/ticket.ts';
import { IllegalTransitionError, invalidField } from '../domain/tickets.errors.ts';
import { diff, type Plan } from './mutate-ticket.ts';
import { ticketEvents } from './ticket-events.ts';

/**
 * The part of a plan that moves `t` to `to`: the fields the status drives (resolution and close
 * times, reopen count) and the `ticket.status_changed` event. Shared by the status route, the
 * assignment (open → assigned) and a requester's reply that reopens a resolved ticket.
 */
export function statusPlan(t: Ticket, to: TicketStatus, now: Date, opts: { internal?: boolean } = {}): Plan {
  if (!canTransition(t.status, to))
    throw new IllegalTransitionError(t.status, to, allowedTransitions(t.status));
  if (to === 'assigned' && t.assigneeId === null) {
    throw invalidField('status', 'a ticket needs an assignee to be assigned; use the assign endpoint');
  }
  const reopened = isReopen(t.status, to);
  const set: Partial<Ticket> = { status: to };
  if (to === 'resolved') set.resolvedAt = now;
  if (to === 'closed') set.closedAt = now;
  if (to === 'cancelled') set.closedAt = now;
  if (reopened) {
    set.reopenCount = t.reopenCount + 1;
    set.resolvedAt = null;
  }
  return {
    set,
    history: diff(t, set, opts.internal ?? false),
    events: [ticketEvents.statusChanged(t.status, to, reopened)],
  };
}

/**
 * Two plans as one change: fields merged (the later wins), history and events concatenated; each
 * event keeps the fields as they were right after its own plan. Internal only if both are.
 */
export function mergePlans(a: Plan, b: Plan): Plan {
  const upto = { ...a.set, ...b.set };
  return {
    set: upto,
    history: [...a.history, ...b.history],
    events: [
      ...a.events.map((e) => ({ ...e, upto: e.upto ?? a.set })),
      ...b.events.map((e) => ({ ...e, upto: { ...a.set, ...(e.upto ?? b.set) } })),
    ],
    ...(a.comment || b.comment ? { comment: b.comment ?? a.comment } : {}),
    ...(a.escalation || b.escalation ? { escalation: b.escalation ?? a.escalation } : {}),
    ...(a.internal && b.internal ? { internal: true } : {}),
  };
}
