import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Caller, callerOf, canSee } from '../use-cases/access.ts';
import type { SlaDeps } from '../use-cases/deps.ts';
import type { AtRiskSla } from '../workflows/contract.ts';
import type { RouteDeps } from './deps.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_WITHIN_MS = 7 * UNIT_MS.d;
/** The search answers at most this many tickets (the nearest first among those found). */
const LIMIT = 200;
const DURATION = /^(\d{1,7})([smhd])$/;

const durationMs = (s: string): number => {
  const [, n, unit] = DURATION.exec(s) ?? [];
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
};

const AtRiskQuerySchema = z.object({
  within: z
    .string()
    .regex(DURATION, 'must be a duration such as 90s, 30m, 2h or 1d')
    .refine((s) => durationMs(s) > 0 && durationMs(s) <= MAX_WITHIN_MS, 'must be more than 0 and at most 7d')
    .default('30m')
    .describe('How far ahead to look: a number and a unit (`s`, `m`, `h`, `d`), at most `7d`.'),
});

const AtRiskDtoSchema = z
  .object({
    ticket: z.string().describe('The ticket id.'),
    next_due: z.iso.datetime({ offset: true }).describe('When its first running clock breaches.'),
    level: z.number().int().describe('Its escalation level.'),
  })
  .openapi('AtRiskTicket');

const AtRiskListSchema = z
  .object({
    due_by: z.iso.datetime({ offset: true }).describe('Now plus `within`.'),
    results: z.array(AtRiskDtoSchema),
  })
  .openapi('AtRiskList');

const atRiskRoute = createRoute({
  method: 'get',
  path: '/api/sla/at-risk/',
  tags: ['sla'],
  summary: 'Tickets breaching soon (staff)',
  description: `Open tickets of the org whose next SLA breach (of a running clock; warnings and clocks already breached do not count) falls within \`within\` from now, earliest first, at most ${LIMIT}. Agents see the tickets assigned to them or to nobody. Read from Temporal's visibility store, which lags the workflows by a moment; 503 \`SLA_UNAVAILABLE\` when Temporal does not answer within 5 s.`,
  security: bearer,
  request: { query: AtRiskQuerySchema },
  responses: {
    200: { description: 'The tickets at risk', ...json(AtRiskListSchema) },
    ...problems(400, 401, 403, 503),
  },
});

export function atRiskRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const guard = [requireAuth(deps.verifier), requireRole('agent', 'admin')];
  for (const route of bothSlashes(atRiskRoute)) {
    app.openapi({ ...route, middleware: guard }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const dueBy = new Date(deps.sla.clock().getTime() + durationMs(c.req.valid('query').within));
      const found = await visible(
        deps.sla,
        caller,
        await deps.sla.workflows.atRisk(caller.orgId, dueBy, LIMIT),
      );
      const results = found.map((r) => ({
        ticket: r.ticketId,
        next_due: r.nextDue.toISOString(),
        level: r.level,
      }));
      return c.json({ due_by: dueBy.toISOString(), results }, 200);
    });
  }
}

/** Agents see the tickets assigned to them or to nobody, as the tickets service shows them. */
async function visible(
  sla: Pick<SlaDeps, 'tickets'>,
  caller: Caller,
  found: AtRiskSla[],
): Promise<AtRiskSla[]> {
  if (caller.role === 'admin') return found;
  // A ticket the read model does not know yet stays hidden: its assignee is unknown.
  const tickets = await Promise.all(found.map((r) => sla.tickets.find(caller.orgId, r.ticketId)));
  return found.filter((_, i) => {
    const t = tickets[i];
    return t !== null && t !== undefined && canSee(caller, t);
  });
}
