import { TicketEvents, type TicketStatus } from '@helpdesk/contracts';
import { toSnapshot } from '../domain/ticket.ts';
import type { PlannedEvent } from './mutate-ticket.ts';

/** The planned events of the ticket aggregate, each carrying the ticket as it is after the change. */
export const ticketEvents = {
  created: (): PlannedEvent => ({ type: TicketEvents.Created, data: (t) => ({ ticket: toSnapshot(t) }) }),
  updated: (changes: { field: string; old: unknown; new: unknown }[]): PlannedEvent => ({
    type: TicketEvents.Updated,
    data: (t) => ({
      ticket: toSnapshot(t),
      changes: changes.map(({ field, old, new: n }) => ({ field, old, new: n })),
    }),
  }),
  assigned: (
    previousAssigneeId: string | null,
    via: 'manual' | 'rule' | 'escalation',
    ruleId: string | null = null,
  ): PlannedEvent => ({
    type: TicketEvents.Assigned,
    data: (t) => ({ ticket: toSnapshot(t), previousAssigneeId, via, ruleId }),
  }),
  statusChanged: (from: TicketStatus, to: TicketStatus, reopened: boolean): PlannedEvent => ({
    type: TicketEvents.StatusChanged,
    data: (t) => ({ ticket: toSnapshot(t), from, to, reopened }),
  }),
};
