import { ProblemSchema } from '@helpdesk/contracts';
import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { callerOf } from '../use-cases/access.ts';
import { escalateTicket } from '../use-cases/escalate-ticket.ts';
import { getTicketSla } from '../use-cases/get-ticket-sla.ts';
import type { RouteDeps } from './deps.ts';
import {
  EscalateAcceptedSchema,
  EscalateRequestSchema,
  TicketSlaDtoSchema,
  toTicketSlaDto,
} from './sla.dto.ts';

const tags = ['sla'];
const TicketParams = z.object({
  id: z.string().min(1).max(64).openapi({ description: 'Ticket id, or its number such as `HD-000042`.' }),
});
const IdempotencyKey = z.object({
  'idempotency-key': z.string().max(255).optional().openapi({
    description: 'Repeating the key with the same body replays the first answer and escalates once.',
  }),
});
const unavailable = {
  503: {
    description:
      'The SLA state cannot be read right now (Temporal, or the SLA is starting); see Retry-After.',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
};

const getSlaRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/sla/',
  tags,
  summary: "A ticket's live SLA",
  description:
    'Every clock with its target, due time, elapsed and paused business time and state, the escalation level and the next SLA event, to whoever may see the ticket. `SLA_NOT_FOUND` until the sla service has seen the ticket.',
  security: bearer,
  request: { params: TicketParams },
  responses: {
    200: { description: 'The SLA state', ...json(TicketSlaDtoSchema) },
    ...problems(401, 404),
    ...unavailable,
  },
});

const escalateRoute = createRoute({
  method: 'post',
  path: '/api/tickets/{id}/sla/escalate/',
  tags,
  summary: 'Escalate a ticket by hand (admin)',
  description:
    'Raises the escalation level by one, with the reason in the escalation log; `ticket.escalated` follows. Accepted once per Idempotency-Key (or per request without one). A closed or cancelled ticket answers `SLA_ENDED`.',
  security: bearer,
  request: {
    params: TicketParams,
    headers: IdempotencyKey,
    body: { required: true, ...json(EscalateRequestSchema) },
  },
  responses: {
    202: { description: 'Accepted: the escalation is recorded shortly', ...json(EscalateAcceptedSchema) },
    ...problems(400, 401, 403, 404, 409, 422),
    ...unavailable,
  },
});

export function ticketSlaRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);

  for (const route of bothSlashes(getSlaRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const view = await getTicketSla(deps.sla, callerOf(c.get('principal')), c.req.valid('param').id);
      return c.json(toTicketSlaDto(view), 200);
    });
  }

  for (const route of bothSlashes(escalateRoute)) {
    app.openapi({ ...route, middleware: [auth, requireRole('admin'), deps.idempotency] }, async (c) => {
      // Scoped by caller, so two admins' keys never collide; without one each request is its own.
      const principal = c.get('principal');
      const given = c.req.valid('header')['idempotency-key'];
      const key =
        given === undefined
          ? `request:${principal.sub}:${c.get('requestId')}`
          : `key:${principal.sub}:${given}`;
      const { ticketId } = await escalateTicket(deps.sla, callerOf(principal), c.req.valid('param').id, {
        reason: c.req.valid('json').reason,
        key,
      });
      return c.json({ ticket_id: ticketId, key }, 202);
    });
  }
}
