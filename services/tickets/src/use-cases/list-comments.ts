import { type Caller, canSeeInternal } from '../domain/access.ts';
import { type Attachment, recordedAttachmentIds } from '../domain/attachment.ts';
import { canSeeComment } from '../domain/comment.ts';
import type { Comment } from '../domain/ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { arrayCursorStart, pageArray } from './page-array.ts';

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
 * `GET /api/tickets/{id}/comments/`: the thread of a ticket the caller may see, oldest first, each
 * comment with the files the ticket records for it; customers get the public comments only.
 */
export async function listComments(
  deps: Pick<TicketsDeps, 'tickets' | 'attachments'>,
  caller: Caller,
  idOrKey: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<CommentPage> {
  const start = arrayCursorStart(page.cursor);
  const ticket = await getTicket(deps, caller, idOrKey);
  const all = await deps.tickets.comments(ticket.orgId, ticket.id);
  const { results: shown, next } = pageArray(all, start, page.limit, (c) => canSeeComment(caller, c));
  const files = shown.length
    ? await deps.attachments.list(ticket.orgId, ticket.id, {
        recorded: recordedAttachmentIds(await deps.tickets.history(ticket.orgId, ticket.id)),
        includeInternal: canSeeInternal(caller),
        limit: FILES_PER_PAGE,
        commentIds: shown.map((c) => c.id),
      })
    : { results: [] };
  const byComment = Map.groupBy(files.results, (a) => a.commentId);
  const results = shown.map((c) => ({ ...c, attachments: byComment.get(c.id) ?? [] }));
  return { ticketId: ticket.id, results, next };
}
