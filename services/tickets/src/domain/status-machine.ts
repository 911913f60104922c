import type { TicketStatus } from '@helpdesk/contracts';

/**
 * The ticket status machine. `assigned` needs an assignee; `resolved → open` is a reopen (it
 * counts, and starts a new resolution cycle); `closed` and `cancelled` are final.
 *
 * | from        | to                                              |
 * |-------------|-------------------------------------------------|
 * | open        | assigned, in_progress, pending, resolved, cancelled |
 * | assigned    | open, in_progress, pending, resolved, cancelled |
 * | in_progress | assigned, pending, resolved, cancelled          |
 * | pending     | open, in_progress, resolved, cancelled          |
 * | resolved    | open (reopen), closed                           |
 * | closed      | (none)                                          |
 * | cancelled   | (none)                                          |
 */
export const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  open: ['assigned', 'in_progress', 'pending', 'resolved', 'cancelled'],
  assigned: ['open', 'in_progress', 'pending', 'resolved', 'cancelled'],
  in_progress: ['assigned', 'pending', 'resolved', 'cancelled'],
  pending: ['open', 'in_progress', 'resolved', 'cancelled'],
  resolved: ['open', 'closed'],
  closed: [],
  cancelled: [],
};

export const allowedTransitions = (from: TicketStatus): readonly TicketStatus[] => TRANSITIONS[from];

export const canTransition = (from: TicketStatus, to: TicketStatus): boolean =>
  TRANSITIONS[from].includes(to);

export const isReopen = (from: TicketStatus, to: TicketStatus): boolean =>
  from === 'resolved' && to === 'open';

/** Statuses in which a ticket is still being worked on (counted as open load, listed as backlog). */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'assigned', 'in_progress', 'pending'];

export const isFinal = (s: TicketStatus): boolean => TRANSITIONS[s].length === 0;
