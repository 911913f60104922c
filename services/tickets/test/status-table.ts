import type { TicketStatus } from '@helpdesk/contracts';

/**
 * The documented status table (docs/tickets.md), written out again on purpose rather than read
 * from TRANSITIONS: a change to the machine that is not also made here fails the tests.
 */
export const EXPECTED_TRANSITIONS: Record<TicketStatus, TicketStatus[]> = {
  open: ['assigned', 'in_progress', 'pending', 'resolved', 'cancelled'],
  assigned: ['open', 'in_progress', 'pending', 'resolved', 'cancelled'],
  in_progress: ['assigned', 'pending', 'resolved', 'cancelled'],
  pending: ['open', 'in_progress', 'resolved', 'cancelled'],
  resolved: ['open', 'closed'],
  closed: [],
  cancelled: [],
};
