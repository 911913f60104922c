import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Caller, callerOf } from '../domain/access.ts';
import { addComment } from '../use-cases/add-comment.ts';
import { listComments } from '../use-cases/list-comments.ts';
import type { MutateOptions } from '../use-cases/mutate-ticket.ts';
import {
  CommentDtoSchema,
  CommentListQuerySchema,
  CommentPageSchema,
  CreateCommentRequestSchema,
  toCommentDto,
} from './comment.dto.ts';
import type { RouteDeps } from './deps.ts';
import { TicketParams } from './tickets.routes.ts';
import { ifMatchVersion } from './versioning.ts';

const tags = ['comments'];

const WriteHeaders = z.object({
  'if-match': z.string().optional().openapi({ description: "The ticket's ETag this comment is meant for." }),
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({ description: 'Repeating the key with the same body replays the first answer.' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/comments/',
  tags,
  summary: "A ticket's comments",
  description:
    'Oldest first, each with its attachments. Customers see public comments only; staff also internal notes. `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { params: TicketParams, query: CommentListQuerySchema },
  responses: {
    200: { description: 'A page of comments', ...json(CommentPageSchema) },
    ...problems(400, 401, 404),
  },
});

const postRoute = createRoute({
  method: 'post',
  path: '/api/tickets/{id}/comments/',
  tags,
  summary: 'Comment on a ticket, or add an internal note',
  description:
    "Customers comment on their own tickets, agents on the ones they see, admins on all. Staff's first public reply sets `first_response_at`. The requester's comment reopens a resolved ticket and answers a pending one (back to `in_progress` if assigned, else `open`). Closed and cancelled tickets take no comments (409 `TICKET_CLOSED`).",
  security: bearer,
  request: {
    params: TicketParams,
    headers: WriteHeaders,
    body: { required: true, ...json(CreateCommentRequestSchema) },
  },
  responses: {
    201: { description: 'Added', ...json(CommentDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 412, 422),
  },
});

/** A page of a ticket's thread as the caller may see it; System B's list answers the same. */
export async function commentListBody(
  uc: RouteDeps['tickets'],
  caller: Caller,
  ticketId: string,
  q: z.output<typeof CommentListQuerySchema>,
) {
  const page = await listComments(uc, caller, ticketId, q);
  return { results: page.results.map((cm) => toCommentDto(page.ticketId, cm)), next: page.next };
}

/** Adds the comment a request describes and answers it; System B's post does the same. */
export async function addCommentBody(
  uc: RouteDeps['tickets'],
  caller: Caller,
  ticketId: string,
  b: z.output<typeof CreateCommentRequestSchema>,
  opts: MutateOptions,
) {
  const { ticket, comment } = await addComment(
    uc,
    caller,
    ticketId,
    { body: b.body ?? b.comment ?? '', internal: b.is_internal, parentId: b.parent_id ?? null },
    opts,
  );
  return toCommentDto(ticket.id, { ...comment, attachments: [] });
}

export function commentsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const uc = deps.tickets;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      return c.json(await commentListBody(uc, caller, c.req.valid('param').id, c.req.valid('query')), 200);
    });
  }

  for (const route of bothSlashes(postRoute)) {
    app.openapi({ ...route, middleware: [auth, deps.idempotency] }, async (c) => {
      const comment = await addCommentBody(
        uc,
        callerOf(c.get('principal')),
        c.req.valid('param').id,
        c.req.valid('json'),
        { ifMatch: ifMatchVersion(c), correlationId: c.get('requestId') },
      );
      return c.json(comment, 201);
    });
  }
}
