import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { type Caller, canSeeInternal } from '../domain/access.ts';
import type { Attachment } from '../domain/attachment.ts';
import { canSeeComment } from '../domain/comment.ts';
import type { Comment } from '../domain/ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';

export interface CommentWithFiles extends Comment {
  attachments: Attachment[];
}

export interface CommentPage {
  ticketId: string;
  results: CommentWithFiles[];
  next: string | null;
}

/** The most files listed with one page of comments; a thread with more pages through the attachments route. */
const FILES_PER_PAGE = 500;

/**
 * Position in the whole thread, internal notes included. The thread is append-only, so a position
 * never moves; a customer's cursor skips the notes they never see.
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
 * `GET /api/tickets/{id}/comments/`: the thread of a ticket the caller may see, oldest first, each
 * comment with its files; customers get the public comments only.
 */
export async function listComments(
  deps: Pick<TicketsDeps, 'tickets' | 'attachments'>,
  caller: Caller,
  idOrKey: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<CommentPage> {
  const start = startOf(page.cursor);
  const ticket = await getTicket(deps, caller, idOrKey);
  const all = await deps.tickets.comments(ticket.orgId, ticket.id);
  const shown: Comment[] = [];
  let next: string | null = null;
  for (let p = start; p < all.length; p++) {
    const c = all[p];
    if (!c || !canSeeComment(caller, c)) continue;
    if (shown.length === page.limit) {
      next = encodeCursor({ p });
      break;
    }
    shown.push(c);
  }
  const files = shown.length
    ? await deps.attachments.list(ticket.orgId, ticket.id, {
        includeInternal: canSeeInternal(caller),
        limit: FILES_PER_PAGE,
        commentIds: shown.map((c) => c.id),
      })
    : { results: [] };
  const byComment = Map.groupBy(files.results, (a) => a.commentId);
  const results = shown.map((c) => ({ ...c, attachments: byComment.get(c.id) ?? [] }));
  return { ticketId: ticket.id, results, next };
}
