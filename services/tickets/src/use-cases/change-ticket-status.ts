import type { TicketStatus } from '@helpdesk/contracts';
import { type Caller, canChangeStatus } from '../domain/access.ts';
import type { Ticket } from '../domain/ticket.ts';
import { TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { type MutateOptions, mutateTicket } from './mutate-ticket.ts';
import { statusPlan } from './status-change.ts';

/** `POST /api/tickets/{id}/status/`: staff only; a customer reopens by commenting instead. */
export async function changeTicketStatus(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  to: TicketStatus,
  opts: MutateOptions = {},
): Promise<Ticket> {
  if (!canChangeStatus(caller)) {
    // 404 before 403: a ticket the caller may not see is never confirmed to exist.
    await getTicket(deps, caller, idOrKey);
    throw new TicketForbiddenError(
      'Only staff change the status; comment on a resolved ticket to reopen it.',
    );
  }
  return mutateTicket(
    deps,
    caller,
    idOrKey,
    (t) => (t.status === to ? null : statusPlan(t, to, deps.clock())),
    opts,
  );
}
