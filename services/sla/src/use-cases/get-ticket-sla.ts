import { isStaff } from '@helpdesk/contracts';
import type { SlaView } from '../domain/clocks.ts';
import type { ClockName } from '../domain/policy.ts';
import type { Caller } from './access.ts';
import type { SlaDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { SlaNotFoundError } from './sla.errors.ts';

/**
 * The periodic_update clock restarts on every staff activity, internal notes included, so its
 * cycles would tell a customer when staff wrote notes they must not know of. Customers see the
 * clocks about them (first response, resolution); staff see all three. The escalation level
 * comes mostly from that clock too, so customers get none.
 */
const CUSTOMER_CLOCKS: readonly (ClockName | 'manual')[] = ['first_response', 'resolution'];

/** The live SLA state as the caller may see it: `escalationLevel` is null for customers. */
export type TicketSlaView = Omit<SlaView, 'escalationLevel'> & { escalationLevel: number | null };

/** `GET /api/tickets/{id}/sla/`: the live SLA state, to whoever may see the ticket. */
export async function getTicketSla(
  deps: Pick<SlaDeps, 'tickets' | 'workflows' | 'clock'>,
  caller: Caller,
  idOrKey: string,
): Promise<TicketSlaView> {
  const ticket = await getTicket(deps, caller, idOrKey);
  const view = await deps.workflows.view(ticket.id, deps.clock().toISOString());
  if (!view) throw new SlaNotFoundError(idOrKey);
  if (isStaff(caller.role)) return view;
  const next = view.nextEvent;
  return {
    ...view,
    escalationLevel: null,
    clocks: view.clocks.filter((c) => CUSTOMER_CLOCKS.includes(c.clock)),
    nextEvent: next && next.clock !== 'manual' && CUSTOMER_CLOCKS.includes(next.clock) ? next : null,
  };
}
