import { encodeCursor, ValidationError } from '@helpdesk/kit';
import { type Caller, canSee } from './access.ts';
import type { SlaDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
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
/** Entries read at a time while looking for the ones an agent may see. */
const SCAN_BATCH = 100;

type Page = { results: Escalation[]; next: string | null };

/**
 * `GET /api/sla/escalations/` (staff; the route checks the role): the org's escalation log,
 * newest first. Admins see all of it; agents only the entries of tickets they may see (assigned
 * to them or unassigned, as the ticket read model has it), and a ticket they may not see is a 404.
 */
export async function listEscalations(
  deps: Pick<SlaDeps, 'effects' | 'tickets'>,
  caller: Caller,
  filter: EscalationFilter,
): Promise<Page> {
  const { ticket, ...rest } = filter;
  if (rest.from && rest.to && rest.from >= rest.to) {
    throw new ValidationError([{ path: 'to', message: 'must be after from' }], 'to: must be after from');
  }
  if (caller.role !== 'admin') {
    if (ticket) {
      const { id } = await getTicket(deps, caller, ticket);
      return deps.effects.escalations({ orgId: caller.orgId, ...rest, ticketId: id });
    }
    return visibleEscalations(deps, caller, rest);
  }
  let ticketId = ticket;
  if (ticket && TICKET_NUMBER.test(ticket)) {
    // A number the org does not have matches no entry, as an unknown id does.
    ticketId = (await deps.tickets.find(caller.orgId, ticket))?.id ?? ticket;
  }
  return deps.effects.escalations({ orgId: caller.orgId, ...rest, ...(ticketId ? { ticketId } : {}) });
}

/**
 * The org's log filtered to the tickets the caller may see, a page at a time. The log cannot
 * filter by assignee, so it is read in batches until the page is full; the next cursor is the
 * log's own (`at` and key of the last entry returned), so paging goes on right after it.
 */
async function visibleEscalations(
  deps: Pick<SlaDeps, 'effects' | 'tickets'>,
  caller: Caller,
  q: Omit<EscalationFilter, 'ticket'>,
): Promise<Page> {
  const seen = new Map<string, boolean>();
  const visible = async (ticketId: string) => {
    let ok = seen.get(ticketId);
    if (ok === undefined) {
      const t = await deps.tickets.find(caller.orgId, ticketId);
      ok = t !== null && canSee(caller, t);
      seen.set(ticketId, ok);
    }
    return ok;
  };
  const results: Escalation[] = [];
  let cursor = q.cursor;
  for (;;) {
    const batch = await deps.effects.escalations({
      orgId: caller.orgId,
      ...q,
      limit: Math.max(q.limit, SCAN_BATCH),
      ...(cursor ? { cursor } : {}),
    });
    for (const [i, e] of batch.results.entries()) {
      if (!(await visible(e.ticketId))) continue;
      results.push(e);
      if (results.length === q.limit) {
        const more = i < batch.results.length - 1 || batch.next !== null;
        return { results, next: more ? encodeCursor({ at: e.at.toISOString(), id: e.key }) : null };
      }
    }
    if (batch.next === null) return { results, next: null };
    cursor = batch.next;
  }
}
