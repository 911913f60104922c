import { createHash, timingSafeEqual } from 'node:crypto';
import {
  RevocationSnapshotSchema,
  UsersSnapshotPageSchema,
  UsersSnapshotQuerySchema,
} from '@helpdesk/contracts';
import { type AppEnv, ForbiddenError, INTERNAL_TOKEN_HEADER, json, problems } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { listRevocations } from '../use-cases/list-revocations.ts';
import { listUsersSnapshot } from '../use-cases/list-users-snapshot.ts';
import type { RouteDeps } from './deps.ts';

/*
 * Service-to-service routes. They live outside `/api`, which is all the gateway forwards, and
 * must never be exposed publicly (ingress, NetworkPolicy): the revocation snapshot tells which
 * users were cut off when, the users snapshot lists every account of every org.
 */

const revocationsRoute = createRoute({
  method: 'get',
  path: '/internal/revocations',
  tags: ['internal'],
  summary: 'Access-token revocations still in force (internal)',
  description: `For services and gateways at start-up (the kit's \`loadRevocations\`). Not routed by the gateway; never expose it. When identity has INTERNAL_TOKEN configured, the request must carry it in \`${INTERNAL_TOKEN_HEADER}\`.`,
  responses: {
    200: { description: 'Revocation snapshot', ...json(RevocationSnapshotSchema) },
    ...problems(403),
  },
});

const usersRoute = createRoute({
  method: 'get',
  path: '/internal/users',
  tags: ['internal'],
  summary: 'Every user of every org, paged by id (internal)',
  description: `For services that keep a copy of the users from \`user.registered\` / \`user.updated\`, at start-up: users registered before their queue existed reach them only this way. Each entry's \`sequence\` is the user's version, the \`sequence\` of its latest event. Ordered by id; pass \`next\` back as \`after\`; \`limit\` is clamped to 1000. Not routed by the gateway; never expose it. When identity has INTERNAL_TOKEN configured, the request must carry it in \`${INTERNAL_TOKEN_HEADER}\`.`,
  request: { query: UsersSnapshotQuerySchema },
  responses: {
    200: { description: 'A page of users', ...json(UsersSnapshotPageSchema) },
    ...problems(400, 403),
  },
});

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests, so neither the content nor the length of the secret leaks through timing. */
function requireInternalToken(expected: string | undefined): MiddlewareHandler<AppEnv> {
  const want = expected === undefined ? undefined : digest(expected);
  return async (c, next) => {
    if (want) {
      const given = c.req.header(INTERNAL_TOKEN_HEADER);
      if (given === undefined || !timingSafeEqual(digest(given), want)) {
        throw new ForbiddenError('INTERNAL_TOKEN_INVALID', 'A valid internal token is required.');
      }
    }
    await next();
  };
}

export function internalRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  app.openapi({ ...revocationsRoute, middleware: [requireInternalToken(deps.internalToken)] }, async (c) => {
    const snapshot = await listRevocations(deps.identity);
    c.header('cache-control', 'no-store');
    c.get('log').debug({ entries: snapshot.entries.length }, 'revocation snapshot served');
    return c.json(snapshot, 200);
  });

  app.openapi({ ...usersRoute, middleware: [requireInternalToken(deps.internalToken)] }, async (c) => {
    const page = await listUsersSnapshot(deps.identity, c.req.valid('query'));
    c.header('cache-control', 'no-store');
    c.get('log').debug({ users: page.results.length }, 'users snapshot page served');
    return c.json(page, 200);
  });
}
