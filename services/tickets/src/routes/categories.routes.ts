import { isStaff } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Caller, callerOf } from '../domain/access.ts';
import { createCategory } from '../use-cases/create-category.ts';
import { getCategory } from '../use-cases/get-category.ts';
import { listCategories } from '../use-cases/list-category.ts';
import { updateCategory } from '../use-cases/update-category.ts';
import {
  CategoryDtoSchema,
  CategoryListQuerySchema,
  CategoryPageSchema,
  CreateCategoryRequestSchema,
  toCategoryDto,
  UpdateCategoryRequestSchema,
} from './category.dto.ts';
import type { RouteDeps } from './deps.ts';

const tags = ['categories'];
const Params = z.object({ id: z.string().min(1).max(64).openapi({ description: 'Category id.' }) });
const IdempotencyKey = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({ description: 'Repeating the key with the same body replays the first answer.' }),
});

// DESIGN.md section 3 gives customers no access to categories, but a customer opening a ticket
// has to pick one: they may read the active ones, without the SLA target.
const WHO_READS =
  'Admins and agents see every category of the org. Customers see the active ones only (those they may open a ticket in), without `default_sla_hours`; an inactive one is 404 for them.';

const listRoute = createRoute({
  method: 'get',
  path: '/api/categories/',
  tags,
  summary: "List the org's categories",
  description: `${WHO_READS} Sorted by name; \`limit\` is clamped to 100; pass \`next\` back as \`cursor\`.`,
  security: bearer,
  request: { query: CategoryListQuerySchema },
  responses: {
    200: { description: 'A page of categories', ...json(CategoryPageSchema) },
    ...problems(400, 401),
  },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/api/categories/',
  tags,
  summary: 'Add a category (admin)',
  description:
    'Names are unique in the org, compared case-insensitively (409 `CATEGORY_NAME_TAKEN`). Publishes `category.created`.',
  security: bearer,
  request: { headers: IdempotencyKey, body: { required: true, ...json(CreateCategoryRequestSchema) } },
  responses: {
    201: { description: 'Created', ...json(CategoryDtoSchema) },
    ...problems(400, 401, 403, 409, 422),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/categories/{id}/',
  tags,
  summary: 'One category',
  description: WHO_READS,
  security: bearer,
  request: { params: Params },
  responses: { 200: { description: 'The category', ...json(CategoryDtoSchema) }, ...problems(401, 404) },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/api/categories/{id}/',
  tags,
  summary: 'Edit a category (admin)',
  description:
    'Deactivating (`is_active: false`) stops new tickets from taking the category; tickets that have it keep it. Publishes `category.updated` when something changed.',
  security: bearer,
  request: { params: Params, body: { required: true, ...json(UpdateCategoryRequestSchema) } },
  responses: {
    200: { description: 'Updated', ...json(CategoryDtoSchema) },
    ...problems(400, 401, 403, 404, 409),
  },
});

/** A page of categories as the caller may see them; System B's list answers the same. */
export async function categoryListBody(
  uc: RouteDeps['tickets'],
  caller: Caller,
  q: z.output<typeof CategoryListQuerySchema>,
) {
  const page = await listCategories(uc, caller, { active: q.is_active, limit: q.limit, cursor: q.cursor });
  const staff = isStaff(caller.role);
  return { results: page.results.map((x) => toCategoryDto(x, staff)), next: page.next };
}

export function categoriesRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const uc = deps.tickets;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      return c.json(await categoryListBody(uc, callerOf(c.get('principal')), c.req.valid('query')), 200);
    });
  }

  for (const route of bothSlashes(createRouteDef)) {
    app.openapi({ ...route, middleware: [auth, deps.idempotency] }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      const category = await createCategory(
        uc,
        caller,
        {
          name: b.name,
          description: b.description,
          defaultSlaHours: b.default_sla_hours,
          active: b.is_active,
        },
        { correlationId: c.get('requestId') },
      );
      c.header('location', `/api/categories/${category.id}/`);
      return c.json(toCategoryDto(category, true), 201);
    });
  }

  for (const route of bothSlashes(getRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const category = await getCategory(uc, caller, c.req.valid('param').id);
      return c.json(toCategoryDto(category, isStaff(caller.role)), 200);
    });
  }

  for (const route of bothSlashes(patchRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const b = c.req.valid('json');
      const category = await updateCategory(
        uc,
        caller,
        c.req.valid('param').id,
        {
          name: b.name,
          description: b.description,
          defaultSlaHours: b.default_sla_hours,
          active: b.is_active,
        },
        { correlationId: c.get('requestId') },
      );
      return c.json(toCategoryDto(category, true), 200);
    });
  }
}
