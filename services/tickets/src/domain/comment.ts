import { isStaff, type TicketStatus } from '@helpdesk/contracts';
import { ConflictError } from '@helpdesk/kit';
import { type Caller, canSeeInternal } from './access.ts';
import type { Comment, Ticket } from './ticket.ts';

/** Rules of a ticket's thread: who sees a comment, what a comment does to its ticket. */

export const COMMENT_MAX_LENGTH = 10_000;

export class TicketClosedError extends ConflictError {
  constructor(status: TicketStatus) {
    super('TICKET_CLOSED', `The ticket is ${status}; it takes no more comments or files.`, { status });
  }
}

export class CommentLimitError extends ConflictError {
  constructor(max: number) {
    super('TICKET_COMMENT_LIMIT', `The ticket has reached its limit of ${max} comments; open a new ticket.`, {
      max,
    });
  }
}

export const isClosed = (t: Ticket): boolean => t.status === 'closed' || t.status === 'cancelled';

export const canSeeComment = (caller: Caller, c: Comment): boolean => !c.internal || canSeeInternal(caller);

/**
 * A public reply by staff other than the requester, while nobody has answered yet: the first
 * response the SLA measures. Internal notes are no answer to the customer.
 */
export const isFirstResponse = (caller: Caller, t: Ticket, internal: boolean): boolean =>
  !internal && isStaff(caller.role) && caller.id !== t.requesterId && t.firstResponseAt === null;

/**
 * The status a public comment by the requester moves the ticket to, if any. On a resolved ticket
 * it reopens it (the answer did not help). On a pending ticket (waiting on the customer) the
 * customer has answered, so the ticket goes back to the desk, as in Zendesk: to `in_progress`
 * when someone has it, else to `open`. Other statuses stay as they are.
 */
export function requesterReplyStatus(caller: Caller, t: Ticket, internal: boolean): TicketStatus | null {
  if (internal || caller.id !== t.requesterId) return null;
  if (t.status === 'resolved') return 'open';
  if (t.status === 'pending') return t.assigneeId ? 'in_progress' : 'open';
  return null;
}
