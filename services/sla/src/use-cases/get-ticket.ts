import { type Caller, canSee } from './access.ts';
import type { SlaDeps } from './deps.ts';
import type { TicketView } from './ports.ts';
import { TicketNotFoundError } from './sla.errors.ts';

/** The ticket, if the caller may see it; anything else is the same 404, so nothing leaks. */
export async function getTicket(
  deps: Pick<SlaDeps, 'tickets'>,
  caller: Caller,
  idOrKey: string,
): Promise<TicketView> {
  const t = await deps.tickets.find(caller.orgId, idOrKey);
  if (!t || !canSee(caller, t)) throw new TicketNotFoundError(idOrKey);
  return t;
}
