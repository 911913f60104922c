import { PageQuerySchema } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { callerOf } from '../domain/access.ts';
import { getTicketHistory } from '../use-cases/get-ticket-history.ts';
import type { RouteDeps } from './deps.ts';
import { HistoryPageSchema, toHistoryEntryDto } from './history.dto.ts';
import { TicketParams } from './tickets.routes.ts';

const historyRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/history/',
  tags: ['tickets'],
  summary: "A ticket's change history",
  description:
    'Every change (field, old and new value, actor, time), oldest first, to whoever may see the ticket; entries caused by internal notes are shown to staff only. `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { params: TicketParams, query: PageQuerySchema },
  responses: {
    200: { description: 'A page of history entries', ...json(HistoryPageSchema) },
    ...problems(400, 401, 404),
  },
});

export function historyRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  for (const route of bothSlashes(historyRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await getTicketHistory(
        deps.tickets,
        callerOf(c.get('principal')),
        c.req.valid('param').id,
        { limit, cursor },
      );
      return c.json({ results: page.results.map(toHistoryEntryDto), next: page.next }, 200);
    });
  }
}
