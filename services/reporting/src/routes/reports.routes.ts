import { type AppEnv, bearer, bothSlashes, json, problems } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Filters } from '../domain/report-query.ts';
import { ReportQueryError } from '../domain/reports.errors.ts';
import { getAgentsReport } from '../use-cases/get-agents-report.ts';
import { getBacklogReport } from '../use-cases/get-backlog-report.ts';
import { getSlaReport } from '../use-cases/get-sla-report.ts';
import { getStats } from '../use-cases/get-stats.ts';
import { adminOnly, type RouteDeps } from './deps.ts';
import { agentsCsv, backlogCsv, slaCsv, statsCsv } from './report-csv.ts';
import {
  AgentsQuerySchema,
  AgentsReportSchema,
  BacklogReportSchema,
  csvResponse,
  FilterQuerySchema,
  RangeQuerySchema,
  SlaReportSchema,
  StatsSchema,
} from './reports.dto.ts';

const RANGE =
  '`from` / `to` are inclusive local dates (default: the last 7 days ending today); at most 366 days. `?format=csv` answers text/csv.';
const ORG_ZONE =
  "Bucketed by day in the org's reporting time zone (`/api/reports/settings/`); a `tz` other than that one is a 400. Filters and `group_by` together may name at most two of priority, category and agent. Each figure counts under the priority, category and assignee the ticket had when it happened (when it opened, was resolved, met or breached a clock, was escalated); a later change does not move it.";

const route = <Q extends typeof RangeQuerySchema, S extends z.ZodType>(
  path: string,
  summary: string,
  description: string,
  query: Q,
  schema: S,
) =>
  createRoute({
    method: 'get',
    path,
    tags: ['reports'],
    summary,
    description,
    security: bearer,
    request: { query },
    responses: {
      200: { description: summary, content: { ...json(schema).content, ...csvResponse } },
      ...problems(400, 401, 403),
    },
  });

const statsRoute = route(
  '/api/reports/stats/',
  'Tickets opened, resolved, escalated, closed, reopened and cancelled per day (admin)',
  `System A's report: totals and a per-day series, every day present. \`tz\` may be any IANA zone (default: the org's). ${RANGE}`,
  RangeQuerySchema,
  StatsSchema,
);
const slaRoute = route(
  '/api/reports/sla/',
  'SLA compliance, breaches and escalations (admin)',
  `Met / breached per clock (a fulfilled clock counts on the day it was fulfilled, a breached one never fulfilled on the day it breached), escalations per level, breach events per clock. ${ORG_ZONE} ${RANGE}`,
  FilterQuerySchema,
  SlaReportSchema,
);
const agentsRoute = route(
  '/api/reports/agents/',
  'Per agent: assignments, resolutions, response and resolution times (admin)',
  `Times are calendar (ticket timestamps) and business (the SLA clocks). Each resolution and time counts for the assignee the ticket had at that moment (a later reassignment does not move it); \`assigned\` counts assignments to the agent on the day they happened; \`agent_id: null\` for tickets without an assignee then. Grouped by agent: no \`group_by\`, and at most one of \`priority\` and \`category\`. ${ORG_ZONE} ${RANGE}`,
  AgentsQuerySchema,
  AgentsReportSchema,
);
const backlogRoute = route(
  '/api/reports/backlog/',
  'Open tickets at the end of each day, and the ageing of those open now (admin)',
  `Open tickets at the end of each day, each under the dimensions it had then: a ticket whose priority, category or assignee changes while open moves between groups on that day. Ageing (of the tickets open now, under their current dimensions) by whole days since creation in the org's zone. With \`group_by\`, rows give the open count at the end of \`to\` and the ageing per group value. ${ORG_ZONE} ${RANGE}`,
  FilterQuerySchema,
  BacklogReportSchema,
);

const filtersOf = (q: {
  priority?: string | undefined;
  category?: string | undefined;
  agent?: string | undefined;
}) => {
  const f: Filters = {};
  if (q.priority !== undefined) f.p = q.priority;
  if (q.category !== undefined) f.c = q.category;
  if (q.agent !== undefined) f.a = q.agent;
  return f;
};

const CSV_HEADERS = { 'content-type': 'text/csv; charset=utf-8' };

export function reportsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const guard = adminOnly(deps);
  for (const r of bothSlashes(statsRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) => {
      const q = c.req.valid('query');
      const body = await getStats(deps.reporting, c.get('principal').org, q);
      return q.format === 'csv' ? c.body(statsCsv(body), 200, CSV_HEADERS) : c.json(body, 200);
    });
  }
  for (const r of bothSlashes(slaRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) => {
      const q = c.req.valid('query');
      const body = await getSlaReport(deps.reporting, c.get('principal').org, q, filtersOf(q));
      return q.format === 'csv' ? c.body(slaCsv(body), 200, CSV_HEADERS) : c.json(body, 200);
    });
  }
  for (const r of bothSlashes(agentsRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) => {
      const q = c.req.valid('query');
      // Refused rather than ignored: a caller sending it expects rows it would not get.
      if (c.req.query('group_by') !== undefined) {
        throw new ReportQueryError(
          'REPORT_FILTER_UNSUPPORTED',
          'The agents report is always grouped by agent; group_by is not accepted here.',
          'group_by',
        );
      }
      const body = await getAgentsReport(deps.reporting, c.get('principal').org, q, filtersOf(q));
      return q.format === 'csv' ? c.body(agentsCsv(body), 200, CSV_HEADERS) : c.json(body, 200);
    });
  }
  for (const r of bothSlashes(backlogRoute)) {
    app.openapi({ ...r, middleware: guard }, async (c) => {
      const q = c.req.valid('query');
      const body = await getBacklogReport(deps.reporting, c.get('principal').org, q, filtersOf(q));
      return q.format === 'csv' ? c.body(backlogCsv(body), 200, CSV_HEADERS) : c.json(body, 200);
    });
  }
}
