import { type Caller, canSeeInternal } from '../domain/access.ts';
import { type Attachment, AttachmentNotFoundError } from '../domain/attachment.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';

/**
 * `GET /api/tickets/{id}/attachments/{attachmentId}/`: a file of a ticket the caller may see, as a
 * stream; an internal note's file is answered like a missing one for a customer.
 */
export async function downloadAttachment(
  deps: Pick<TicketsDeps, 'tickets' | 'attachments'>,
  caller: Caller,
  idOrKey: string,
  attachmentId: string,
): Promise<{ attachment: Attachment; content: ReadableStream<Uint8Array> }> {
  const ticket = await getTicket(deps, caller, idOrKey);
  const attachment = await deps.attachments.find(ticket.orgId, ticket.id, attachmentId);
  if (!attachment || (attachment.internal && !canSeeInternal(caller))) throw new AttachmentNotFoundError();
  return { attachment, content: deps.attachments.open(attachment.id) };
}
