import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type AppEnv,
  bearer,
  bothSlashes,
  ForbiddenError,
  INTERNAL_TOKEN_HEADER,
  json,
  problems,
} from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { rebuildProjections } from '../use-cases/rebuild-projections.ts';
import { adminOnly, type RouteDeps } from './deps.ts';
import { RebuildResultSchema } from './reports.dto.ts';

const REBUILD =
  'Replays the raw event log into a new generation of projections and makes it live when complete; events arriving meanwhile go to both generations, so none is lost. 409 while another rebuild of the org runs. The work does not depend on the caller waiting: if the client or the gateway gives up (the gateway waits 30 s), the rebuild carries on and the reports switch to the new generation once it is complete; until then they answer from the previous one, and a new rebuild request gets 409. A rebuild cut short by a shutdown or a failure is abandoned whole (the previous generation stays live); one whose process died is abandoned within about two minutes, after which a rebuild may be asked again.';

const adminRoute = createRoute({
  method: 'post',
  path: '/api/reports/rebuild/',
  tags: ['reports'],
  summary: "Rebuilds the org's reports from its events (admin)",
  description: `${REBUILD} Answers once done, with the number of events replayed.`,
  security: bearer,
  responses: { 200: { description: 'Rebuilt', ...json(RebuildResultSchema) }, ...problems(401, 403, 409) },
});

const internalRoute = createRoute({
  method: 'post',
  path: '/internal/reports/rebuild',
  tags: ['internal'],
  summary: 'Rebuilds the reports of every org, or of `org` (internal)',
  description: `${REBUILD} For operators. Not routed by the gateway; never expose it. Requires the deployment's INTERNAL_TOKEN in \`${INTERNAL_TOKEN_HEADER}\` (refused while the service has none).`,
  request: {
    query: z.object({
      org: z.string().min(1).max(200).optional().describe('Rebuild only this org; default: every org.'),
    }),
  },
  responses: { 200: { description: 'Rebuilt', ...json(RebuildResultSchema) }, ...problems(400, 403, 409) },
});

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests, so neither the content nor the length of the secret leaks through timing. */
function requireInternalToken(expected: string | undefined): MiddlewareHandler<AppEnv> {
  const want = expected === undefined ? undefined : digest(expected);
  return async (c, next) => {
    const given = c.req.header(INTERNAL_TOKEN_HEADER);
    if (!want || given === undefined || !timingSafeEqual(digest(given), want)) {
      throw new ForbiddenError('INTERNAL_TOKEN_INVALID', 'A valid internal token is required.');
    }
    await next();
  };
}

export function rebuildRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  for (const r of bothSlashes(adminRoute)) {
    app.openapi({ ...r, middleware: adminOnly(deps) }, async (c) =>
      c.json(await rebuildProjections(deps.reporting, { orgId: c.get('principal').org }), 200),
    );
  }
  app.openapi({ ...internalRoute, middleware: [requireInternalToken(deps.internalToken)] }, async (c) => {
    const { org } = c.req.valid('query');
    return c.json(await rebuildProjections(deps.reporting, org ? { orgId: org } : {}), 200);
  });
}
