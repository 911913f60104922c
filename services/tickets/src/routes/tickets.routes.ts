import { isStaff } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Caller, callerOf } from '../domain/access.ts';
import type { TicketListQuery } from '../domain/ports.ts';
import { assignTicket } from '../use-cases/assign-ticket.ts';
import { changeTicketStatus } from '../use-cases/change-ticket-status.ts';
import { createTicket } from '../use-cases/create-ticket.ts';
import { getTicket } from '../use-cases/get-ticket.ts';
import { listTickets } from '../use-cases/list-tickets.ts';
import { versionSeenBy } from '../use-cases/mutate-ticket.ts';
import { updateTicket } from '../use-cases/update-ticket.ts';
import type { RouteDeps } from './deps.ts';
import {
  AssignRequestSchema,
  CreateTicketRequestSchema,
  StatusRequestSchema,
  TicketDtoSchema,
  TicketListQuerySchema,
  TicketPageSchema,
  toTicketDto,
  UpdateTicketRequestSchema,
} from './ticket.dto.ts';
import { ifMatchVersion, notModified, setEtag } from './versioning.ts';

const tags = ['tickets'];
export const TicketParams = z.object({
  id: z.string().min(1).max(64).openapi({ description: 'Ticket id, or its number such as `HD-000042`.' }),
});
const IfMatch = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ description: 'The ETag of the version this write is meant for.' }),
});
const IdempotencyKey = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({ description: 'Repeating the key with the same body replays the first answer.' }),
});
const etag = { ETag: { schema: { type: 'string' as const }, description: 'The ticket version.' } };

const listRoute = createRoute({
  method: 'get',
  path: '/api/tickets/',
  tags,
  summary: 'List the tickets you may see',
  description:
    'Customers see their own tickets, agents those assigned to them or unassigned, admins all of the org. `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { query: TicketListQuerySchema },
  responses: { 200: { description: 'A page of tickets', ...json(TicketPageSchema) }, ...problems(400, 401) },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/api/tickets/',
  tags,
  summary: 'Open a ticket',
  description:
    'Staff may open one on behalf of a user (`created_by`) and set its priority. The assignment rules run before the ticket is stored.',
  security: bearer,
  request: { headers: IdempotencyKey, body: { required: true, ...json(CreateTicketRequestSchema) } },
  responses: {
    201: { description: 'Created', headers: etag, ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 422),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/',
  tags,
  summary: 'One ticket',
  security: bearer,
  request: { params: TicketParams },
  responses: {
    200: { description: 'The ticket', headers: etag, ...json(TicketDtoSchema) },
    304: { description: 'Not modified since the ETag in If-None-Match' },
    ...problems(401, 404),
  },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/api/tickets/{id}/',
  tags,
  summary: "Edit a ticket's title, description, category, priority or tags",
  description: 'Customers edit their own tickets while open (not the priority); staff the tickets they see.',
  security: bearer,
  request: {
    params: TicketParams,
    headers: IfMatch,
    body: { required: true, ...json(UpdateTicketRequestSchema) },
  },
  responses: {
    200: { description: 'Updated', headers: etag, ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 412),
  },
});

const assignRoute = createRoute({
  method: 'post',
  path: '/api/tickets/{id}/assign/',
  tags,
  summary: 'Assign a ticket (admin)',
  description: 'An open ticket becomes `assigned`; unassigning an `assigned` ticket reopens it.',
  security: bearer,
  request: {
    params: TicketParams,
    headers: IfMatch.extend(IdempotencyKey.shape),
    body: { required: true, ...json(AssignRequestSchema) },
  },
  responses: {
    200: { description: 'Assigned', headers: etag, ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 412, 422),
  },
});

const statusRoute = createRoute({
  method: 'post',
  path: '/api/tickets/{id}/status/',
  tags,
  summary: 'Change the status (agent, admin)',
  description:
    'See docs/tickets.md for the transition table; an illegal transition is answered 409 with the allowed ones in `allowed`.',
  security: bearer,
  request: {
    params: TicketParams,
    headers: IfMatch.extend(IdempotencyKey.shape),
    body: { required: true, ...json(StatusRequestSchema) },
  },
  responses: {
    200: { description: 'Changed', headers: etag, ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 412, 422),
  },
});

/** The list query's API names to the repository's. */
export function toListQuery(q: z.infer<typeof TicketListQuerySchema>): Omit<TicketListQuery, 'scope'> {
  return {
    limit: q.limit,
    sort: q.sort,
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.priority ? { priority: q.priority } : {}),
    ...(q.assigned_to ? { assigneeId: q.assigned_to === 'none' ? null : q.assigned_to } : {}),
    ...(q.category ? { categoryId: q.category } : {}),
    ...(q.requester ? { requesterId: q.requester } : {}),
    ...(q.q ? { q: q.q } : {}),
    ...(q.created_from ? { createdFrom: q.created_from } : {}),
    ...(q.created_to ? { createdTo: q.created_to } : {}),
    ...(q.updated_from ? { updatedFrom: q.updated_from } : {}),
    ...(q.updated_to ? { updatedTo: q.updated_to } : {}),
  };
}

/** A page of the tickets the caller may see; System B's list answers the same. */
export async function ticketListBody(
  uc: RouteDeps['tickets'],
  caller: Caller,
  query: Omit<TicketListQuery, 'scope'>,
) {
  const page = await listTickets(uc, caller, query);
  const staff = isStaff(caller.role);
  return { results: page.results.map((t) => toTicketDto(t, staff)), next: page.next };
}

export function ticketsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const writes = [auth, deps.idempotency];
  const uc = deps.tickets;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      return c.json(await ticketListBody(uc, caller, toListQuery(c.req.valid('query'))), 200);
    });
  }

  for (const route of bothSlashes(createRouteDef)) {
    app.openapi({ ...route, middleware: writes }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      const t = await createTicket(
        uc,
        caller,
        {
          title: b.title,
          description: b.description,
          categoryId: b.category ?? null,
          priority: b.priority,
          tags: b.tags,
          requesterId: b.created_by,
        },
        { correlationId: c.get('requestId') },
      );
      setEtag(c, versionSeenBy(caller, t));
      c.header('location', `/api/tickets/${t.id}/`);
      return c.json(toTicketDto(t, isStaff(caller.role)), 201);
    });
  }

  for (const route of bothSlashes(getRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const t = await getTicket(uc, caller, c.req.valid('param').id);
      setEtag(c, versionSeenBy(caller, t));
      if (notModified(c, versionSeenBy(caller, t))) return c.body(null, 304);
      return c.json(toTicketDto(t, isStaff(caller.role)), 200);
    });
  }

  for (const route of bothSlashes(patchRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      const t = await updateTicket(
        uc,
        caller,
        c.req.valid('param').id,
        {
          title: b.title,
          description: b.description,
          categoryId: b.category,
          priority: b.priority,
          tags: b.tags,
        },
        { ifMatch: ifMatchVersion(c), correlationId: c.get('requestId') },
      );
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, isStaff(caller.role)), 200);
    });
  }

  for (const route of bothSlashes(assignRoute)) {
    app.openapi({ ...route, middleware: writes }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const t = await assignTicket(uc, caller, c.req.valid('param').id, c.req.valid('json').assigned_to, {
        ifMatch: ifMatchVersion(c),
        correlationId: c.get('requestId'),
      });
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, true), 200);
    });
  }

  for (const route of bothSlashes(statusRoute)) {
    app.openapi({ ...route, middleware: writes }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const t = await changeTicketStatus(uc, caller, c.req.valid('param').id, c.req.valid('json').status, {
        ifMatch: ifMatchVersion(c),
        correlationId: c.get('requestId'),
      });
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, true), 200);
    });
  }
}
