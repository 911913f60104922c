import { AppError, NotFoundError, ValidationError } from '@helpdesk/kit';
import type { HistoryEntry } from './ticket.ts';

/**
 * Files on tickets and comments, kept in GridFS. An upload is two writes, the file and then the
 * ticket, with no transaction between them; the ticket's write is the commit point. It records the
 * file with a history entry (`ATTACHMENT_FIELD`), and only files a ticket records exist for the
 * API: a file whose ticket write never happened (a crash in between) is neither listed nor served.
 */

export interface AttachmentMeta {
  orgId: string;
  ticketId: string;
  /** The comment it belongs to; null for a file on the ticket itself. */
  commentId: string | null;
  /** On an internal note: staff only, like the note. */
  internal: boolean;
  uploaderId: string;
  filename: string;
  /** From the content, never from what the client declared. */
  contentType: string;
}

export interface Attachment extends AttachmentMeta {
  id: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  createdAt: Date;
}

export interface AttachmentStore {
  /**
   * Streams `content` into the store, counting and hashing it; past the store's size limit it stops
   * with AttachmentTooLargeError. On any failure (also one thrown by `content`) nothing is left.
   */
  save(id: string, meta: AttachmentMeta, content: AsyncIterable<Uint8Array>): Promise<Attachment>;
  find(orgId: string, ticketId: string, id: string): Promise<Attachment | null>;
  /**
   * Oldest first, after the attachment `after`, of the files in `recorded` (those the ticket
   * records); `includeInternal: false` leaves out the files of internal notes, `commentIds` keeps
   * those of these comments.
   */
  list(
    orgId: string,
    ticketId: string,
    opts: {
      recorded: readonly string[];
      includeInternal: boolean;
      limit: number;
      after?: string | undefined;
      commentIds?: string[];
    },
  ): Promise<{ results: Attachment[]; next: string | null }>;
  /** The content, streamed from the store. */
  open(id: string): ReadableStream<Uint8Array>;
  delete(id: string): Promise<void>;
}

/** The history field of the entry that records a file on its ticket. */
export const ATTACHMENT_FIELD = 'attachment';

/** The ids of the files a ticket's history records: the uploads that committed. */
export function recordedAttachmentIds(history: readonly HistoryEntry[]): string[] {
  const ids: string[] = [];
  for (const h of history) {
    const id = h.field === ATTACHMENT_FIELD ? (h.new as { id?: unknown } | null)?.id : undefined;
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}

export class AttachmentNotFoundError extends NotFoundError {
  constructor() {
    super('ATTACHMENT_NOT_FOUND', 'No such attachment on this ticket.');
  }
}

export class AttachmentTooLargeError extends AppError {
  /** `unread`: refused before the body was read, so the connection cannot carry another request. */
  constructor(maxBytes: number, opts: { unread?: boolean } = {}) {
    super('ATTACHMENT_TOO_LARGE', 413, `Attachments are limited to ${maxBytes} bytes.`, {
      extra: { maxBytes },
      ...(opts.unread ? { headers: { connection: 'close' } } : {}),
    });
  }
}

export class AttachmentTypeRefusedError extends AppError {
  constructor(message: string) {
    super('ATTACHMENT_TYPE_REFUSED', 415, message);
  }
}

export const emptyAttachment = () => new ValidationError([{ path: 'file', message: 'the file is empty' }]);
