import { type Caller, canSee } from '../domain/access.ts';
import type { Ticket } from '../domain/ticket.ts';
import { TicketNotFoundError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';

/** The ticket by id or key, if the caller may see it; otherwise 404, whether or not it exists. */
export async function getTicket(
  deps: Pick<TicketsDeps, 'tickets'>,
  caller: Caller,
  idOrKey: string,
): Promise<Ticket> {
  const t = await deps.tickets.find(caller.orgId, idOrKey);
  if (!t || !canSee(caller, t)) throw new TicketNotFoundError();
  return t;
}
