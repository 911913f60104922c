import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { type Caller, canSeeInternal } from '../domain/access.ts';
import { type Attachment, recordedAttachmentIds } from '../domain/attachment.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';

function afterOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const { a } = decodeCursor(cursor);
  if (typeof a !== 'string' || a.length === 0 || a.length > 64) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return a;
}

/**
 * `GET /api/tickets/{id}/attachments/`: the files a ticket the caller may see records, oldest
 * first; customers do not get the files of internal notes.
 */
export async function listAttachments(
  deps: Pick<TicketsDeps, 'tickets' | 'attachments'>,
  caller: Caller,
  idOrKey: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ results: Attachment[]; next: string | null }> {
  const after = afterOf(page.cursor);
  const ticket = await getTicket(deps, caller, idOrKey);
  const history = await deps.tickets.history(ticket.orgId, ticket.id);
  const found = await deps.attachments.list(ticket.orgId, ticket.id, {
    recorded: recordedAttachmentIds(history),
    includeInternal: canSeeInternal(caller),
    limit: page.limit,
    after,
  });
  return { results: found.results, next: found.next === null ? null : encodeCursor({ a: found.next }) };
}
