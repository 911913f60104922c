import type { Ticket } from '../domain/ticket.ts';
import type { AutoAssignment, TicketsDeps } from './deps.ts';

export async function autoAssign(_deps: TicketsDeps, _draft: Ticket): Promise<AutoAssignment | null> {
  return null;
}
