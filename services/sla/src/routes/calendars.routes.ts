import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { callerOf } from '../use-cases/access.ts';
import type { SlaConfigDeps } from '../use-cases/config-ports.ts';
import { createCalendar, getCalendar, listCalendars, updateCalendar } from '../use-cases/manage-calendars.ts';
import {
  CalendarListSchema,
  CalendarResponseSchema,
  CreateCalendarRequestSchema,
  mergeCalendar,
  parseCalendar,
  toCalendarResponse,
  UpdateCalendarRequestSchema,
} from './calendar.dto.ts';
import type { RouteDeps } from './deps.ts';

export interface ConfigRouteDeps extends Pick<RouteDeps, 'verifier' | 'idempotency'> {
  slaConfig: SlaConfigDeps;
}

const tags = ['sla'];
const base = '/api/sla/calendars/';
const Params = z.object({ id: z.string().min(1).max(64) });
const one = (description: string) => ({ description, ...json(CalendarResponseSchema) });

const listRoute = createRoute({
  method: 'get',
  path: base,
  tags,
  summary: 'The org’s business calendars (agent, admin)',
  description: 'Oldest first.',
  security: bearer,
  responses: { 200: { description: 'The calendars', ...json(CalendarListSchema) }, ...problems(401, 403) },
});

const createCalendarRoute = createRoute({
  method: 'post',
  path: base,
  tags,
  summary: 'Add a business calendar (admin)',
  description:
    'An IANA time zone, working intervals per weekday (in order, none crossing midnight) and holidays (one-off or yearly). A calendar without working time is refused.',
  security: bearer,
  request: { body: { required: true, ...json(CreateCalendarRequestSchema) } },
  responses: { 201: one('Created'), ...problems(400, 401, 403, 422) },
});

const getRoute = createRoute({
  method: 'get',
  path: `${base}{id}/`,
  tags,
  summary: 'One business calendar (agent, admin)',
  security: bearer,
  request: { params: Params },
  responses: { 200: one('The calendar'), ...problems(401, 403, 404) },
});

const patchRoute = createRoute({
  method: 'patch',
  path: `${base}{id}/`,
  tags,
  summary: 'Change a business calendar (admin)',
  description:
    'Fields left out keep their value. Running tickets keep the calendar they resolved until their policy is resolved again (a policy change with `apply_to: running_tickets`, or their own priority or category change).',
  security: bearer,
  request: { params: Params, body: { required: true, ...json(UpdateCalendarRequestSchema) } },
  responses: { 200: one('Updated'), ...problems(400, 401, 403, 404) },
});

export function calendarsRoutes(app: OpenAPIHono<AppEnv>, deps: ConfigRouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const staff = [auth, requireRole('agent', 'admin')];
  const admin = [auth, requireRole('admin')];
  const uc = deps.slaConfig;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const all = await listCalendars(uc, callerOf(c.get('principal')));
      return c.json({ results: all.map(toCalendarResponse) }, 200);
    });
  }

  for (const route of bothSlashes(createCalendarRoute)) {
    app.openapi({ ...route, middleware: [...admin, deps.idempotency] }, async (c) => {
      const { name, ...calendar } = c.req.valid('json');
      const created = await createCalendar(uc, callerOf(c.get('principal')), {
        name,
        calendar: parseCalendar(calendar),
      });
      c.header('location', `${base}${created.id}/`);
      return c.json(toCalendarResponse(created), 201);
    });
  }

  for (const route of bothSlashes(getRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const found = await getCalendar(uc, callerOf(c.get('principal')), c.req.valid('param').id);
      return c.json(toCalendarResponse(found), 200);
    });
  }

  for (const route of bothSlashes(patchRoute)) {
    app.openapi({ ...route, middleware: admin }, async (c) => {
      const body = c.req.valid('json');
      const updated = await updateCalendar(
        uc,
        callerOf(c.get('principal')),
        c.req.valid('param').id,
        (current) => mergeCalendar(current, body),
      );
      return c.json(toCalendarResponse(updated), 200);
    });
  }
}
