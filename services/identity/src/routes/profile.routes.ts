import { ProfileUpdateRequestSchema, UserDtoSchema } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { getUser } from '../use-cases/get-user.ts';
import { updateProfile } from '../use-cases/update-profile.ts';
import type { RouteDeps } from './deps.ts';
import { toUserDto } from './user-dto.ts';

const tags = ['profile'];

const getProfileRoute = createRoute({
  method: 'get',
  path: '/api/auth/profile/',
  tags,
  summary: "The caller's own account",
  security: bearer,
  responses: { 200: { description: 'The caller', ...json(UserDtoSchema) }, ...problems(401, 404) },
});

const patchProfileRoute = createRoute({
  method: 'patch',
  path: '/api/auth/profile/',
  tags,
  summary: "Edit the caller's names and email",
  description:
    'Only `email`, `first_name` and `last_name`; any other field (role, org, active, username) is refused with 400.',
  security: bearer,
  request: { body: { required: true, ...json(ProfileUpdateRequestSchema) } },
  responses: { 200: { description: 'Updated', ...json(UserDtoSchema) }, ...problems(400, 401, 404, 409) },
});

export function profileRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = [requireAuth(deps.verifier)];

  for (const route of bothSlashes(getProfileRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const me = c.get('principal');
      return c.json(toUserDto(await getUser(deps.identity, me.org, me.sub)), 200);
    });
  }

  for (const route of bothSlashes(patchProfileRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const body = c.req.valid('json');
      const user = await updateProfile(
        deps.identity,
        c.get('principal'),
        { email: body.email, firstName: body.first_name, lastName: body.last_name },
        c.get('requestId'),
      );
      return c.json(toUserDto(user), 200);
    });
  }
}
