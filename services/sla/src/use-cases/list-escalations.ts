import { ValidationError } from '@helpdesk/kit';
import type { Caller } from './access.ts';
import type { SlaDeps } from './deps.ts';
import type { Escalation } from './ports.ts';

export interface EscalationFilter {
  /** A ticket id, or its number (`HD-000042`). */
  ticket?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const TICKET_NUMBER = /^HD-\d{1,12}$/i;

/**
 * `GET /api/sla/escalations/` (staff; the route checks the role): the org's escalation log,
 * newest first, like the rest of the SLA configuration readable by every agent of the org.
 */
export async function listEscalations(
  deps: Pick<SlaDeps, 'effects' | 'tickets'>,
  caller: Caller,
  filter: EscalationFilter,
): Promise<{ results: Escalation[]; next: string | null }> {
  const { ticket, ...rest } = filter;
  if (rest.from && rest.to && rest.from >= rest.to) {
    throw new ValidationError([{ path: 'to', message: 'must be after from' }], 'to: must be after from');
  }
  let ticketId = ticket;
  if (ticket && TICKET_NUMBER.test(ticket)) {
    // A number the org does not have matches no entry, as an unknown id does.
    ticketId = (await deps.tickets.find(caller.orgId, ticket))?.id ?? ticket;
  }
  return deps.effects.escalations({ orgId: caller.orgId, ...rest, ...(ticketId ? { ticketId } : {}) });
}
