import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { callerOf } from '../use-cases/access.ts';
import { listEscalations } from '../use-cases/list-escalations.ts';
import type { RouteDeps } from './deps.ts';
import { EscalationListQuerySchema, EscalationPageSchema, toEscalationDto } from './escalation.dto.ts';

const listRoute = createRoute({
  method: 'get',
  path: '/api/sla/escalations/',
  tags: ['sla'],
  summary: 'The escalation log (staff)',
  description:
    'Automatic and manual escalations, newest first (System B’s TicketEscalationLog): all of the org for admins; for agents only those of tickets assigned to them or unassigned (a `ticket` they may not see is 404). Filters: `ticket`, `from` (inclusive), `to` (exclusive). `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { query: EscalationListQuerySchema },
  responses: {
    200: { description: 'A page of escalations', ...json(EscalationPageSchema) },
    ...problems(400, 401, 403, 404),
  },
});

export function escalationsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const guard = [requireAuth(deps.verifier), requireRole('agent', 'admin')];
  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: guard }, async (c) => {
      const q = c.req.valid('query');
      const page = await listEscalations(deps.sla, callerOf(c.get('principal')), {
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.ticket ? { ticket: q.ticket } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
      });
      return c.json({ results: page.results.map(toEscalationDto), next: page.next }, 200);
    });
  }
}
