import type { TicketStatus } from '@helpdesk/contracts';
import type { SlaDeps } from './deps.ts';
import { type TicketEvent, ticketFacts } from './ticket-facts.ts';

const FINAL: readonly TicketStatus[] = ['closed', 'cancelled'];

export type TrackOutcome = 'signalled' | 'ended' | 'stale_after_end';

/**
 * One ticket event: the read model takes it if it is newer than what it holds, and the ticket's
 * SLA workflow gets it as a signal, started by it if need be. The signal goes out even when the
 * read model had the event already: a crash between the two writes must not lose the signal, and
 * the workflow drops what it has seen by `sequence`. Only an event older than the ticket's closing
 * is dropped here, so that a late copy cannot start a workflow again once Temporal has forgotten
 * the finished one.
 */
export async function trackTicket(
  deps: Pick<SlaDeps, 'tickets' | 'workflows'>,
  event: TicketEvent,
): Promise<TrackOutcome> {
  const { ticket } = event.data;
  const applied = await deps.tickets.record(ticket, event.sequence);
  if (!applied && !FINAL.includes(ticket.status)) {
    const stored = await deps.tickets.find(ticket.orgId, ticket.id);
    if (stored && FINAL.includes(stored.status)) return 'stale_after_end';
  }
  const facts = ticketFacts(event);
  return deps.workflows.ticketChanged({ ticketId: ticket.id, orgId: ticket.orgId, facts }, facts);
}
