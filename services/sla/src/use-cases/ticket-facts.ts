import {
  isStaff,
  TicketAssignedEventSchema,
  TicketCommentAddedEventSchema,
  TicketCreatedEventSchema,
  TicketEvents,
  TicketStatusChangedEventSchema,
  TicketUpdatedEventSchema,
} from '@helpdesk/contracts';
import { z } from 'zod';
import type { TicketFacts } from '../domain/clocks.ts';

/** The ticket events the SLA follows; `ticket.escalated` is its own output and is not among them. */
export const TicketEventSchema = z.discriminatedUnion('type', [
  TicketCreatedEventSchema,
  TicketUpdatedEventSchema,
  TicketAssignedEventSchema,
  TicketStatusChangedEventSchema,
  TicketCommentAddedEventSchema,
]);
export type TicketEvent = z.infer<typeof TicketEventSchema>;
export const TICKET_EVENT_TYPES = [
  TicketEvents.Created,
  TicketEvents.Updated,
  TicketEvents.Assigned,
  TicketEvents.StatusChanged,
  TicketEvents.CommentAdded,
] as const;

/**
 * What the SLA clocks learn from one ticket event. Staff activity (System A's "updated") is a
 * status change, a manual assignment, a public reply or an internal note by an agent or admin.
 * Changes made by the system (the sla service's own escalations, assignment rules) and edits of
 * fields are not: otherwise an escalation would restart the very clock that caused it.
 */
export function ticketFacts(event: TicketEvent): TicketFacts {
  const { ticket } = event.data;
  const byStaff = event.actor.type === 'user' && event.actor.role !== undefined && isStaff(event.actor.role);
  return {
    sequence: event.sequence,
    type: event.type,
    at: event.occurredAt,
    status: ticket.status,
    priority: ticket.priority,
    categoryId: ticket.categoryId,
    staffActivity: byStaff && isActivity(event),
    firstPublicStaffReply: event.type === TicketEvents.CommentAdded && event.data.firstResponse,
    reopened: event.type === TicketEvents.StatusChanged && event.data.reopened,
    firstResponseAt: ticket.firstResponseAt,
    createdAt: ticket.createdAt,
    escalationLevel: ticket.escalationLevel,
  };
}

function isActivity(event: TicketEvent): boolean {
  switch (event.type) {
    case TicketEvents.StatusChanged:
    case TicketEvents.CommentAdded:
      return true;
    case TicketEvents.Assigned:
      return event.data.via === 'manual';
    default:
      return false;
  }
}
