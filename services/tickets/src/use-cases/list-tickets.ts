import { type Caller, visibilityFilter } from '../domain/access.ts';
import type { TicketListQuery } from '../domain/ports.ts';
import type { TicketsDeps } from './deps.ts';

/** A page of the tickets the caller may see, narrowed by the filters. */
export function listTickets(
  deps: Pick<TicketsDeps, 'tickets'>,
  caller: Caller,
  query: Omit<TicketListQuery, 'scope'>,
) {
  return deps.tickets.list({
    ...query,
    scope: visibilityFilter(caller),
    customerView: caller.role === 'user',
  });
}
