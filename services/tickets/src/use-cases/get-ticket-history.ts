import { type Caller, canSeeInternal } from '../domain/access.ts';
import type { HistoryEntry } from '../domain/ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { arrayCursorStart, pageArray } from './page-array.ts';

export interface HistoryPage {
  results: HistoryEntry[];
  next: string | null;
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
  const start = arrayCursorStart(page.cursor);
  const ticket = await getTicket(deps, caller, idOrKey);
  const all = await deps.tickets.history(ticket.orgId, ticket.id);
  const staff = canSeeInternal(caller);
  return pageArray(all, start, page.limit, (entry) => staff || !entry.internal);
}
