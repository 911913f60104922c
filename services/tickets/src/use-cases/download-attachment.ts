import { type Caller, canSeeInternal } from '../domain/access.ts';
import { type Attachment, AttachmentNotFoundError, recordedAttachmentIds } from '../domain/attachment.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';

/**
 * `GET /api/tickets/{id}/attachments/{attachmentId}/`: a file a ticket the caller may see records,
 * as a stream; an internal note's file is answered like a missing one for a customer, and so is a
 * stored file the ticket does not record (an upload that stopped before its ticket write).
 */
export async function downloadAttachment(
  deps: Pick<TicketsDeps, 'tickets' | 'attachments'>,
  caller: Caller,
  idOrKey: string,
  attachmentId: string,
): Promise<{ attachment: Attachment; content: ReadableStream<Uint8Array> }> {
  const ticket = await getTicket(deps, caller, idOrKey);
  const recorded = recordedAttachmentIds(await deps.tickets.history(ticket.orgId, ticket.id));
  if (!recorded.includes(attachmentId)) throw new AttachmentNotFoundError();
  const attachment = await deps.attachments.find(ticket.orgId, ticket.id, attachmentId);
  if (!attachment || (attachment.internal && !canSeeInternal(caller))) throw new AttachmentNotFoundError();
  return { attachment, content: deps.attachments.open(attachment.id) };
}
