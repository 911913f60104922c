import { isStaff } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import {
  ATTACHMENT_FIELD,
  type Attachment,
  emptyAttachment,
  recordedAttachmentIds,
} from '../domain/attachment.ts';
import { canSeeComment, isClosed, TicketClosedError } from '../domain/comment.ts';
import { checkFileType, cleanFilename, SNIFF_BYTES, textCheck } from '../domain/file-type-policy.ts';
import type { Ticket } from '../domain/ticket.ts';
import { invalidField, StaleVersionError, TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { type MutateOptions, mutateTicket, versionSeenBy } from './mutate-ticket.ts';
import { ticketEvents } from './ticket-events.ts';

export interface IncomingFile {
  filename: string;
  /** The part's Content-Type: a claim the content must bear out. */
  declaredType: string;
  content: AsyncIterable<Uint8Array>;
}

/** The first `n` bytes (fewer if the file is smaller), and an iterable of the whole content. */
async function peek(content: AsyncIterable<Uint8Array>, n: number) {
  const it = content[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    length += r.value.byteLength;
  }
  const head = Buffer.concat(chunks);
  async function* whole() {
    yield* chunks;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head: head.subarray(0, n), whole: whole() };
}

/** Streams chunks through, failing as soon as they stop being text. */
async function* asText(content: AsyncIterable<Uint8Array>) {
  const check = textCheck();
  for await (const chunk of content) {
    check.push(chunk);
    yield chunk;
  }
  check.end();
}

/** The comment a file goes with: one the caller sees, and wrote unless they are staff. */
async function commentFor(deps: TicketsDeps, caller: Caller, t: Ticket, commentId: string) {
  const comment = (await deps.tickets.comments(t.orgId, t.id)).find((c) => c.id === commentId);
  if (!comment || !canSeeComment(caller, comment)) {
    throw invalidField('comment_id', 'no comment with this id on this ticket');
  }
  if (!isStaff(caller.role) && comment.authorId !== caller.id) {
    throw new TicketForbiddenError('Only its author or staff attach files to a comment.');
  }
  return comment;
}

/**
 * After the ticket write failed: deletes the stored file, unless the write went through after all
 * (its answer was lost). Best effort, as the file is invisible anyway: only the ticket's record
 * makes a file listed or served, and docs/tickets.md says how leftovers would be swept.
 */
async function discardUnrecorded(deps: TicketsDeps, t: Ticket, id: string): Promise<void> {
  try {
    if (recordedAttachmentIds(await deps.tickets.history(t.orgId, t.id)).includes(id)) return;
    await deps.attachments.delete(id);
  } catch {
    // The caller's error is the answer; a file left behind is an invisible orphan.
  }
}

/**
 * `POST /api/tickets/{id}/attachments/`: checks who may attach what before reading the file, then
 * streams it into the store (type sniffed from its first bytes, size counted, text checked as it
 * goes) and records it on the ticket with a history entry and a `ticket.updated` event. That
 * second write is the commit point: until it happens the file is neither listed nor served, so a
 * crash between the two leaves an invisible file, never one without its history and event. If the
 * second write fails the stored file is deleted again.
 */
export async function uploadAttachment(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  input: { commentId: string | null; file: IncomingFile },
  opts: MutateOptions = {},
): Promise<Attachment> {
  const read = await getTicket(deps, caller, idOrKey);
  // Refused before a byte is stored; mutateTicket checks both again when it records the file.
  const seen = versionSeenBy(caller, read);
  if (opts.ifMatch !== undefined && opts.ifMatch !== seen) throw new StaleVersionError(seen);
  if (isClosed(read)) throw new TicketClosedError(read.status);
  const comment = input.commentId === null ? null : await commentFor(deps, caller, read, input.commentId);

  const filename = cleanFilename(input.file.filename);
  const { head, whole } = await peek(input.file.content, SNIFF_BYTES);
  if (head.byteLength === 0) throw emptyAttachment();
  const verdict = await checkFileType({ head, filename, declaredType: input.file.declaredType });
  const internal = comment?.internal ?? false;
  const stored = await deps.attachments.save(
    deps.newId(),
    {
      orgId: read.orgId,
      ticketId: read.id,
      commentId: comment?.id ?? null,
      internal,
      uploaderId: caller.id,
      filename,
      contentType: verdict.contentType,
    },
    verdict.text ? asText(whole) : whole,
  );

  const summary = { id: stored.id, filename, contentType: stored.contentType, size: stored.size };
  try {
    await mutateTicket(
      deps,
      caller,
      read.id,
      (t) => {
        if (isClosed(t)) throw new TicketClosedError(t.status);
        return {
          set: {},
          history: [
            {
              field: ATTACHMENT_FIELD,
              old: null,
              new: { ...summary, commentId: stored.commentId },
              internal,
            },
          ],
          // The event reaches customer-facing read models, which cannot tell an internal note's
          // file from another: for those it says only that the ticket changed.
          events: [ticketEvents.updated(internal ? [] : [{ field: 'attachments', old: null, new: summary }])],
          internal,
        };
      },
      opts,
    );
  } catch (err) {
    await discardUnrecorded(deps, read, stored.id);
    throw err;
  }
  return stored;
}
