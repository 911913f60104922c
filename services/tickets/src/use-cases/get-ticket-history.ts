import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { type Caller, canSeeInternal } from '../domain/access.ts';
import type { HistoryEntry } from '../domain/ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';

export interface HistoryPage {
  results: HistoryEntry[];
  next: string | null;
}

/**
 * Position in the ticket's whole history, internal entries included. History is append-only, so a
 * position never moves; a customer's cursor skips the internal entries they never see.
 */
function startOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const { p } = decodeCursor(cursor);
  if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return p;
}

/**
 * `GET /api/tickets/{id}/history/`: every change of a ticket the caller may see, oldest first;
 * entries caused by internal notes are staff-only.
 */
export async function getTicketHistory(
  deps: Pick<TicketsDeps, 'tickets'>,
  caller: Caller,
  idOrKey: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<HistoryPage> {
  const start = startOf(page.cursor);
  const ticket = await getTicket(deps, caller, idOrKey);
  const all = await deps.tickets.history(ticket.orgId, ticket.id);
  const staff = canSeeInternal(caller);
  const results: HistoryEntry[] = [];
  for (let p = start; p < all.length; p++) {
    const entry = all[p];
    if (!entry || (entry.internal && !staff)) continue;
    if (results.length === page.limit) return { results, next: encodeCursor({ p }) };
    results.push(entry);
  }
  return { results, next: null };
}
