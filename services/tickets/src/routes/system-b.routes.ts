import { isStaff } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, NotFoundError, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { callerOf } from '../domain/access.ts';
import { createCategory } from '../use-cases/create-category.ts';
import { createTicket } from '../use-cases/create-ticket.ts';
import { getCategory } from '../use-cases/get-category.ts';
import { getTicket } from '../use-cases/get-ticket.ts';
import { versionSeenBy } from '../use-cases/mutate-ticket.ts';
import { replaceTicket } from '../use-cases/replace-ticket.ts';
import { updateCategory } from '../use-cases/update-category.ts';
import { categoryListBody } from './categories.routes.ts';
import {
  CategoryDtoSchema,
  CategoryListQuerySchema,
  CategoryPageSchema,
  toCategoryDto,
} from './category.dto.ts';
import {
  CommentDtoSchema,
  CommentListQuerySchema,
  CommentPageSchema,
  CreateCommentRequestSchema,
} from './comment.dto.ts';
import { addCommentBody, commentListBody } from './comments.routes.ts';
import type { RouteDeps } from './deps.ts';
import {
  OrgItemParams,
  OrgParams,
  SystemBCategoryBodySchema,
  SystemBCreateCategorySchema,
  SystemBCreateTicketSchema,
  SystemBTicketListQuerySchema,
  SystemBUpdateTicketSchema,
  TicketIdParams,
} from './system-b.dto.ts';
import { TicketDtoSchema, TicketPageSchema, toTicketDto } from './ticket.dto.ts';
import { ticketListBody, toListQuery } from './tickets.routes.ts';
import { ifMatchVersion, setEtag } from './versioning.ts';

/*
 * System B's routes (a helpdesk management module), mapped onto the same use cases as ours. Its
 * paths carry the org: an `org_id` other than the caller's is answered 404, exactly as for a
 * resource of another org. Field mapping: docs/tickets.md, "System B".
 */

const tags = ['system-b'];
const note = "System B's route; the same as ours, see docs/tickets.md.";

/** The path's org must be the caller's; anything else does not exist for them. */
const ownOrg: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.param('org_id') !== c.get('principal').org) {
    throw new NotFoundError('ORG_NOT_FOUND', 'No such organization.');
  }
  await next();
};

const route = <M extends 'get' | 'post' | 'put'>(method: M, path: string, summary: string) => ({
  method,
  path,
  tags,
  summary,
  description: note,
  security: bearer,
});

const listCategoriesRoute = createRoute({
  ...route('get', '/api/helpdesk/categories/{org_id}/', "List the org's categories"),
  request: { params: OrgParams, query: CategoryListQuerySchema },
  responses: {
    200: { description: 'A page of categories', ...json(CategoryPageSchema) },
    ...problems(400, 401, 404),
  },
});
const createCategoryRoute = createRoute({
  ...route('post', '/api/helpdesk/categories/{org_id}/', 'Add a category (admin)'),
  request: { params: OrgParams, body: { required: true, ...json(SystemBCreateCategorySchema) } },
  responses: {
    201: { description: 'Created', ...json(CategoryDtoSchema) },
    ...problems(400, 401, 403, 404, 409),
  },
});
const getCategoryRoute = createRoute({
  ...route('get', '/api/helpdesk/categories/{org_id}/{pk}/', 'One category'),
  request: { params: OrgItemParams },
  responses: { 200: { description: 'The category', ...json(CategoryDtoSchema) }, ...problems(401, 404) },
});
const putCategoryRoute = createRoute({
  ...route('put', '/api/helpdesk/categories/{org_id}/{pk}/', 'Edit a category (admin)'),
  request: { params: OrgItemParams, body: { required: true, ...json(SystemBCategoryBodySchema) } },
  responses: {
    200: { description: 'Updated', ...json(CategoryDtoSchema) },
    ...problems(400, 401, 403, 404, 409),
  },
});
const listCommentsRoute = createRoute({
  ...route('get', '/api/helpdesk/tickets/{ticket_id}/comments/', "A ticket's comments"),
  request: { params: TicketIdParams, query: CommentListQuerySchema },
  responses: {
    200: { description: 'A page of comments', ...json(CommentPageSchema) },
    ...problems(400, 401, 404),
  },
});
const postCommentRoute = createRoute({
  ...route('post', '/api/helpdesk/tickets/{ticket_id}/comments/', 'Comment (`comment`, `is_internal`)'),
  request: { params: TicketIdParams, body: { required: true, ...json(CreateCommentRequestSchema) } },
  responses: {
    201: { description: 'Added', ...json(CommentDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 412),
  },
});
const listTicketsRoute = createRoute({
  ...route('get', '/api/helpdesk/tickets/{org_id}/', 'List the tickets you may see'),
  request: { params: OrgParams, query: SystemBTicketListQuerySchema },
  responses: {
    200: { description: 'A page of tickets', ...json(TicketPageSchema) },
    ...problems(400, 401, 404),
  },
});
const createTicketRoute = createRoute({
  ...route('post', '/api/helpdesk/tickets/{org_id}/', 'Open a ticket'),
  request: { params: OrgParams, body: { required: true, ...json(SystemBCreateTicketSchema) } },
  responses: {
    201: { description: 'Created', ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 422),
  },
});
const getTicketRoute = createRoute({
  ...route('get', '/api/helpdesk/tickets/{org_id}/{pk}/', 'One ticket'),
  request: { params: OrgItemParams },
  responses: { 200: { description: 'The ticket', ...json(TicketDtoSchema) }, ...problems(401, 404) },
});
const putTicketRoute = createRoute({
  ...route(
    'put',
    '/api/helpdesk/tickets/{org_id}/{pk}/',
    'Change fields, assignee and status in one request',
  ),
  request: { params: OrgItemParams, body: { required: true, ...json(SystemBUpdateTicketSchema) } },
  responses: {
    200: { description: 'Updated', ...json(TicketDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 412),
  },
});

export function systemBRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const inOrg = [auth, ownOrg];
  const uc = deps.tickets;

  // Before `/tickets/{org_id}/{pk}`, which would otherwise take `comments` for a ticket id.
  for (const r of bothSlashes(listCommentsRoute)) {
    app.openapi({ ...r, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const body = await commentListBody(uc, caller, c.req.valid('param').ticket_id, c.req.valid('query'));
      return c.json(body, 200);
    });
  }
  for (const r of bothSlashes(postCommentRoute)) {
    app.openapi({ ...r, middleware: [auth, deps.idempotency] }, async (c) => {
      const comment = await addCommentBody(
        uc,
        callerOf(c.get('principal')),
        c.req.valid('param').ticket_id,
        c.req.valid('json'),
        { ifMatch: ifMatchVersion(c), correlationId: c.get('requestId') },
      );
      return c.json(comment, 201);
    });
  }

  for (const r of bothSlashes(listCategoriesRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      return c.json(await categoryListBody(uc, callerOf(c.get('principal')), c.req.valid('query')), 200);
    });
  }
  for (const r of bothSlashes(createCategoryRoute)) {
    app.openapi({ ...r, middleware: [...inOrg, deps.idempotency] }, async (c) => {
      const b = c.req.valid('json');
      const category = await createCategory(
        uc,
        callerOf(c.get('principal')),
        {
          name: b.name,
          description: b.description,
          defaultSlaHours: b.sla_hours ?? b.default_sla_hours ?? null,
          active: b.is_active,
        },
        { correlationId: c.get('requestId') },
      );
      return c.json(toCategoryDto(category, true), 201);
    });
  }
  for (const r of bothSlashes(getCategoryRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const category = await getCategory(uc, caller, c.req.valid('param').pk);
      return c.json(toCategoryDto(category, isStaff(caller.role)), 200);
    });
  }
  for (const r of bothSlashes(putCategoryRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      const b = c.req.valid('json');
      const hours = b.sla_hours !== undefined ? b.sla_hours : b.default_sla_hours;
      const category = await updateCategory(
        uc,
        callerOf(c.get('principal')),
        c.req.valid('param').pk,
        {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(hours !== undefined ? { defaultSlaHours: hours } : {}),
          ...(b.is_active !== undefined ? { active: b.is_active } : {}),
        },
        { correlationId: c.get('requestId') },
      );
      return c.json(toCategoryDto(category, true), 200);
    });
  }

  for (const r of bothSlashes(listTicketsRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const q = c.req.valid('query');
      const query = toListQuery({ ...q, requester: q.requester ?? q.created_by, q: q.q ?? q.search });
      return c.json(await ticketListBody(uc, caller, query), 200);
    });
  }
  for (const r of bothSlashes(createTicketRoute)) {
    app.openapi({ ...r, middleware: [...inOrg, deps.idempotency] }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      // The ticket and its assignment are one write: a refused assignment creates nothing.
      const t = await createTicket(
        uc,
        caller,
        {
          title: b.title,
          description: b.description,
          categoryId: b.category ?? b.category_id ?? null,
          priority: b.priority,
          tags: b.tags,
          requesterId: b.created_by,
          ...(b.assigned_to ? { assigneeId: b.assigned_to } : {}),
        },
        { correlationId: c.get('requestId') },
      );
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, isStaff(caller.role)), 201);
    });
  }
  for (const r of bothSlashes(getTicketRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const t = await getTicket(uc, caller, c.req.valid('param').pk);
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, isStaff(caller.role)), 200);
    });
  }
  for (const r of bothSlashes(putTicketRoute)) {
    app.openapi({ ...r, middleware: inOrg }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      const category = b.category !== undefined ? b.category : b.category_id;
      const t = await replaceTicket(
        uc,
        caller,
        c.req.valid('param').pk,
        {
          title: b.title,
          description: b.description,
          categoryId: category,
          priority: b.priority,
          tags: b.tags,
          assigneeId: b.assigned_to,
          status: b.status,
        },
        { ifMatch: ifMatchVersion(c), correlationId: c.get('requestId') },
      );
      setEtag(c, versionSeenBy(caller, t));
      return c.json(toTicketDto(t, isStaff(caller.role)), 200);
    });
  }
}
