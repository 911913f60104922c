import { type AppEnv, bearer, bothSlashes, json, problems } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { canonicalZone } from '../domain/time-zone.ts';
import { getSettings, setTimeZone } from '../use-cases/manage-settings.ts';
import { adminOnly, type RouteDeps } from './deps.ts';
import { RebuildResultSchema, SettingsSchema } from './reports.dto.ts';

const PutSettingsSchema = z.object({
  time_zone: z
    .string()
    .max(64)
    .refine((tz) => canonicalZone(tz) !== null, 'not an IANA time zone (e.g. Europe/Berlin)')
    .transform((tz) => canonicalZone(tz) as string),
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/reports/settings/',
  tags: ['reports'],
  summary: "The org's reporting settings (admin)",
  description: "`time_zone`: the IANA zone the reports' days are counted in (default UTC).",
  security: bearer,
  responses: { 200: { description: 'Settings', ...json(SettingsSchema) }, ...problems(401, 403) },
});

const putRoute = createRoute({
  method: 'put',
  path: '/api/reports/settings/',
  tags: ['reports'],
  summary: "Changes the org's reporting time zone (admin)",
  description:
    "A new zone rebuilds the org's projections from the raw events before this answers (`rebuilt`); reports keep answering in the old zone until then. If the caller stops waiting, the rebuild still completes and the zone changes then; 409 while a rebuild of the org runs.",
  security: bearer,
  request: { body: { content: { 'application/json': { schema: PutSettingsSchema } }, required: true } },
  responses: {
    200: {
      description: 'The settings now in force',
      ...json(SettingsSchema.extend({ rebuilt: RebuildResultSchema.shape.orgs.element.nullable() })),
    },
    ...problems(400, 401, 403, 409),
  },
});

export function settingsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const guard = adminOnly(deps);
  for (const r of bothSlashes(getRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) =>
      c.json(await getSettings(deps.reporting, c.get('principal').org), 200),
    );
  }
  for (const r of bothSlashes(putRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) => {
      const { time_zone } = c.req.valid('json');
      return c.json(await setTimeZone(deps.reporting, c.get('principal').org, time_zone), 200);
    });
  }
}
