import { TicketEvents } from '@helpdesk/contracts';
import { type Caller, canWriteInternal } from '../domain/access.ts';
import {
  CommentLimitError,
  canSeeComment,
  isClosed,
  isFirstResponse,
  requesterReplyStatus,
  TicketClosedError,
} from '../domain/comment.ts';
import { type Comment, type Ticket, toSnapshot } from '../domain/ticket.ts';
import { invalidField, TicketForbiddenError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';
import { getTicket } from './get-ticket.ts';
import { type MutateOptions, mutateTicket, type Plan, type PlannedEvent } from './mutate-ticket.ts';
import { mergePlans, statusPlan } from './status-change.ts';

export interface AddCommentInput {
  body: string;
  internal: boolean;
  parentId: string | null;
}

const commentAdded = (comment: Comment, firstResponse: boolean): PlannedEvent => ({
  type: TicketEvents.CommentAdded,
  data: (t) => ({
    ticket: toSnapshot(t),
    comment: {
      id: comment.id,
      parentId: comment.parentId,
      authorId: comment.authorId,
      authorRole: comment.authorRole,
      visibility: comment.internal ? 'internal' : 'public',
      createdAt: comment.createdAt.toISOString(),
    },
    firstResponse,
  }),
});

/** A reply must answer a comment the caller sees; a public one may not point at an internal note. */
async function checkParent(deps: TicketsDeps, caller: Caller, t: Ticket, input: AddCommentInput) {
  if (input.parentId === null) return;
  const parent = (await deps.tickets.comments(t.orgId, t.id)).find((c) => c.id === input.parentId);
  if (!parent || !canSeeComment(caller, parent)) {
    throw invalidField('parent_id', 'no comment with this id on this ticket');
  }
  if (parent.internal && !input.internal) {
    throw invalidField('parent_id', 'a reply to an internal note must be an internal note too');
  }
}

/**
 * `POST /api/tickets/{id}/comments/`: adds a public comment or an internal note, together with
 * what it does to the ticket (counts, first response, a requester's reply reopening a resolved
 * ticket or answering a pending one) and its events, in one write.
 */
export async function addComment(
  deps: TicketsDeps,
  caller: Caller,
  idOrKey: string,
  input: AddCommentInput,
  opts: MutateOptions = {},
): Promise<{ ticket: Ticket; comment: Comment }> {
  const read = await getTicket(deps, caller, idOrKey);
  if (input.internal && !canWriteInternal(caller)) {
    throw new TicketForbiddenError('Only staff write internal notes.');
  }
  await checkParent(deps, caller, read, input);

  let comment: Comment | undefined;
  const ticket = await mutateTicket(
    deps,
    caller,
    read.id,
    (t): Plan => {
      if (isClosed(t)) throw new TicketClosedError(t.status);
      const max = deps.settings.maxCommentsPerTicket;
      if (t.commentCount >= max) throw new CommentLimitError(max);
      const now = deps.clock();
      comment = {
        id: deps.newId(),
        parentId: input.parentId,
        authorId: caller.id,
        authorRole: caller.role,
        body: input.body,
        internal: input.internal,
        createdAt: now,
      };
      const first = isFirstResponse(caller, t, input.internal);
      const plan: Plan = {
        set: {
          commentCount: t.commentCount + 1,
          publicCommentCount: t.publicCommentCount + (input.internal ? 0 : 1),
          ...(first ? { firstResponseAt: now } : {}),
        },
        history: [
          { field: 'comment', old: null, new: comment.id, internal: input.internal },
          ...(first ? [{ field: 'firstResponseAt', old: null, new: now, internal: false }] : []),
        ],
        comment,
        events: [commentAdded(comment, first)],
        internal: input.internal,
      };
      const to = requesterReplyStatus(caller, t, input.internal);
      return to ? mergePlans(plan, statusPlan(t, to, now)) : plan;
    },
    opts,
  );
  if (!comment) throw new Error('addComment: the plan made no comment');
  return { ticket, comment };
}
