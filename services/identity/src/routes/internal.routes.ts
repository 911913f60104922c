import { createHash, timingSafeEqual } from 'node:crypto';
import { RevocationSnapshotSchema } from '@helpdesk/contracts';
import { type AppEnv, ForbiddenError, INTERNAL_TOKEN_HEADER } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { listRevocations } from '../use-cases/list-revocations.ts';
import type { RouteDeps } from './deps.ts';
import { json, problems } from './openapi.ts';

/*
 * Service-to-service routes. They live outside `/api`, which is all the gateway forwards, and
 * must never be exposed publicly (ingress, NetworkPolicy): the revocation snapshot tells which
 * users were cut off when.
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
}
