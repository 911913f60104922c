import {
  CreateUserRequestSchema,
  UpdateUserRequestSchema,
  UserDtoSchema,
  UserPageSchema,
  UserSearchQuerySchema,
} from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { createUser } from '../use-cases/create-user.ts';
import { getUser } from '../use-cases/get-user.ts';
import { searchUsers } from '../use-cases/search-users.ts';
import { updateUser } from '../use-cases/update-user.ts';
import type { RouteDeps } from './deps.ts';
import { toUserDto } from './user-dto.ts';

const tags = ['users'];
const IdParams = z.object({ id: z.string().min(1).max(64) });

const searchRoute = createRoute({
  method: 'get',
  path: '/api/auth/users/search/',
  tags,
  summary: "Search users of the caller's org (staff)",
  description:
    '`q` matches username, email, first or last name. Ordered by username; `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { query: UserSearchQuerySchema },
  responses: { 200: { description: 'A page of users', ...json(UserPageSchema) }, ...problems(400, 401, 403) },
});

const createUserRoute = createRoute({
  method: 'post',
  path: '/api/auth/users/',
  tags,
  summary: "Create a user, agent or admin in the caller's org (admin)",
  security: bearer,
  request: { body: { required: true, ...json(CreateUserRequestSchema) } },
  responses: { 201: { description: 'Created', ...json(UserDtoSchema) }, ...problems(400, 401, 403, 409) },
});

const getUserRoute = createRoute({
  method: 'get',
  path: '/api/auth/users/{id}/',
  tags,
  summary: "One user of the caller's org (staff)",
  security: bearer,
  request: { params: IdParams },
  responses: { 200: { description: 'The user', ...json(UserDtoSchema) }, ...problems(401, 403, 404) },
});

const updateUserRoute = createRoute({
  method: 'patch',
  path: '/api/auth/users/{id}/',
  tags,
  summary: "Change a user's role or active flag (admin)",
  description:
    "A role change or a deactivation takes effect at once: the user's refresh sessions end and every access token issued so far is revoked in every service.",
  security: bearer,
  request: { params: IdParams, body: { required: true, ...json(UpdateUserRequestSchema) } },
  responses: {
    200: { description: 'Updated', ...json(UserDtoSchema) },
    ...problems(400, 401, 403, 404, 409),
  },
});

export function usersRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const staff = [requireAuth(deps.verifier), requireRole('agent', 'admin')];
  const admin = [requireAuth(deps.verifier), requireRole('admin')];

  // Before `{id}`, so `search` is never taken for an id.
  for (const route of bothSlashes(searchRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const page = await searchUsers(deps.identity, c.get('principal').org, c.req.valid('query'));
      return c.json({ results: page.results.map(toUserDto), next: page.next }, 200);
    });
  }

  for (const route of bothSlashes(createUserRoute)) {
    app.openapi({ ...route, middleware: admin }, async (c) => {
      const user = await createUser(
        deps.identity,
        c.get('principal'),
        c.req.valid('json'),
        c.get('requestId'),
      );
      c.get('log').info({ userId: user.id, role: user.role }, 'user created by admin');
      return c.json(toUserDto(user), 201);
    });
  }

  for (const route of bothSlashes(getUserRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const user = await getUser(deps.identity, c.get('principal').org, c.req.valid('param').id);
      return c.json(toUserDto(user), 200);
    });
  }

  for (const route of bothSlashes(updateUserRoute)) {
    app.openapi({ ...route, middleware: admin }, async (c) => {
      const body = c.req.valid('json');
      const user = await updateUser(
        deps.identity,
        c.get('principal'),
        c.req.valid('param').id,
        { role: body.role, active: body.is_active },
        c.get('requestId'),
      );
      c.get('log').info({ userId: user.id, role: user.role, active: user.active }, 'user changed by admin');
      return c.json(toUserDto(user), 200);
    });
  }
}
