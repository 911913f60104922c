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
import { type RebuildStatus, rebuildProjections, rebuildStatus } from '../use-cases/rebuild-projections.ts';
import { adminOnly, type RouteDeps } from './deps.ts';
import { RebuildResultSchema, RebuildStatusSchema } from './reports.dto.ts';

const REBUILD =
  'Replays the raw event log into a new generation of projections and makes it live when complete; events arriving meanwhile go to both generations, so none is lost. 409 while another rebuild of the org runs. The work does not depend on the caller waiting: if the client or the gateway gives up (the gateway waits 30 s), the rebuild carries on and the reports switch to the new generation once it is complete; until then they answer from the previous one, and a new rebuild request gets 409. A rebuild cut short by a shutdown or a failure is abandoned whole (the previous generation stays live); one whose process died is abandoned within about two minutes, after which a rebuild may be asked again.';

const STATUS_PATH = '/api/reports/rebuild/';

const adminRoute = createRoute({
  method: 'post',
  path: STATUS_PATH,
  tags: ['reports'],
  summary: "Rebuilds the org's reports from its events (admin)",
  description: `${REBUILD} Answers once done, with the number of events replayed; with \`Prefer: respond-async\` (RFC 7240) it answers 202 as soon as the rebuild is under way, with its status and \`Location\` of the status resource to poll (GET).`,
  security: bearer,
  request: {
    headers: z.object({
      prefer: z
        .string()
        .optional()
        .describe('`respond-async`: answer 202 once the rebuild has started instead of waiting for it.'),
    }),
  },
  responses: {
    200: { description: 'Rebuilt', ...json(RebuildResultSchema) },
    202: {
      description: 'Started (with `Prefer: respond-async`); `Location` names the status to poll',
      headers: {
        Location: { schema: { type: 'string' }, description: 'The rebuild status resource' },
        'Preference-Applied': { schema: { type: 'string' }, description: '`respond-async`' },
      },
      ...json(RebuildStatusSchema),
    },
    ...problems(401, 403, 409),
  },
});

const statusRoute = createRoute({
  method: 'get',
  path: STATUS_PATH,
  tags: ['reports'],
  summary: "Whether a rebuild of the org's reports runs (admin)",
  description:
    'The generation the reports answer from, and the rebuild under way if any, with its last heartbeat. Poll it after `POST /api/reports/rebuild/` with `Prefer: respond-async`: the rebuild is complete once `state` is `idle` and `live.generation` is the one it started.',
  security: bearer,
  responses: {
    200: { description: 'The rebuild status', ...json(RebuildStatusSchema) },
    ...problems(401, 403),
  },
});

const toStatusDto = (s: RebuildStatus) => ({
  org_id: s.orgId,
  state: s.state,
  live: { generation: s.live.gen, time_zone: s.live.tz },
  running: s.running
    ? {
        generation: s.running.gen,
        time_zone: s.running.tz,
        heartbeat_at: s.running.heartbeatAt.toISOString(),
      }
    : null,
});

const wantsAsync = (prefer: string | undefined) =>
  (prefer ?? '').split(',').some(
    (p) =>
      p
        .trim()
        .split(/[;=\s]/)[0]
        ?.toLowerCase() === 'respond-async',
  );

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
    app.openapi({ ...r, middleware: adminOnly(deps) }, async (c) => {
      const orgId = c.get('principal').org;
      if (!wantsAsync(c.req.valid('header').prefer)) {
        return c.json(await rebuildProjections(deps.reporting, { orgId }), 200);
      }
      // Answered once the generation is claimed, so a rebuild already running still gets 409.
      const claimed = Promise.withResolvers<void>();
      const log = c.get('log');
      rebuildProjections(deps.reporting, { orgId, onClaimed: () => claimed.resolve() }).then(
        (result) => log.info({ result }, 'report rebuild complete'),
        (err: unknown) => {
          claimed.reject(err);
          log.warn({ err }, 'report rebuild did not complete; the previous generation stays live');
        },
      );
      await claimed.promise;
      c.header('Location', STATUS_PATH);
      c.header('Preference-Applied', 'respond-async');
      return c.json(toStatusDto(await rebuildStatus(deps.reporting, orgId)), 202);
    });
  }
  for (const r of bothSlashes(statusRoute)) {
    app.openapi({ ...r, middleware: adminOnly(deps) }, async (c) =>
      c.json(toStatusDto(await rebuildStatus(deps.reporting, c.get('principal').org)), 200),
    );
  }
  app.openapi({ ...internalRoute, middleware: [requireInternalToken(deps.internalToken)] }, async (c) => {
    const { org } = c.req.valid('query');
    return c.json(await rebuildProjections(deps.reporting, org ? { orgId: org } : {}), 200);
  });
}
