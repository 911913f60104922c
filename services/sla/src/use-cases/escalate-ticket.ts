import type { Caller } from './access.ts';
import type { SlaDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { SlaEndedError, SlaNotFoundError } from './sla.errors.ts';

/**
 * `POST /api/tickets/{id}/sla/escalate/` (admins; the route checks the role): raises the ticket's
 * escalation level by one. `key` identifies the request, so a repeat escalates once; the workflow
 * records the escalation (log entry and `ticket.escalated`) as it does its own.
 */
export async function escalateTicket(
  deps: Pick<SlaDeps, 'tickets' | 'workflows' | 'clock'>,
  caller: Caller,
  idOrKey: string,
  input: { reason: string; key: string },
): Promise<{ ticketId: string }> {
  const ticket = await getTicket(deps, caller, idOrKey);
  const outcome = await deps.workflows.escalate(ticket.id, {
    at: deps.clock().toISOString(),
    reason: input.reason,
    actorId: caller.id,
    key: input.key,
  });
  if (outcome === 'not_found') throw new SlaNotFoundError(idOrKey);
  if (outcome === 'ended') throw new SlaEndedError(idOrKey);
  return { ticketId: ticket.id };
}
