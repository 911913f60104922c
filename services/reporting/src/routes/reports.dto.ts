import { PrioritySchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .optional()
  .openapi({ example: '2026-11-17' });

export const RangeQuerySchema = z.object({
  from: date.describe('First day (inclusive, local date); default: 6 days before `to`.'),
  to: date.describe('Last day (inclusive, local date); default: today in the zone. At most 366 days in all.'),
  tz: z.string().min(1).max(64).optional().describe("IANA time zone; default: the org's reporting zone."),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe('`json` (default) or `csv`: text/csv (RFC 4180), one line per row or day.'),
});

const filters = {
  priority: PrioritySchema.optional().describe('Only tickets of this priority.'),
  category: z.string().min(1).max(200).optional().describe('Only tickets of this category id.'),
  agent: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only tickets assigned to this agent (user id; `assigned` counts assignments to them).'),
};

/** The agents report is grouped by agent already: no `group_by`, and one of priority / category. */
export const AgentsQuerySchema = RangeQuerySchema.extend(filters);

export const FilterQuerySchema = RangeQuerySchema.extend({
  group_by: z
    .enum(['priority', 'category', 'agent'])
    .optional()
    .describe('Adds one row per value of this dimension (counts as one of the two dimensions allowed).'),
  ...filters,
});

const counters = {
  opened: z.number().int(),
  resolved: z.number().int(),
  escalated: z.number().int().describe('Escalation events, any level.'),
  closed: z.number().int(),
  reopened: z.number().int(),
  cancelled: z.number().int(),
};

export const StatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    totals: z.object(counters),
    series: z
      .array(z.object({ date: z.string(), ...counters }))
      .describe('Every day of the range, zeros included.'),
  })
  .openapi('ReportStats');

const pct = z.number().nullable().describe('0..100, one decimal; null when nothing was met or breached.');
const SlaRowSchema = z
  .object({
    key: z.string().nullable(),
    clocks: z.record(
      z.string(),
      z.object({ met: z.number().int(), breached: z.number().int(), met_pct: pct, breached_pct: pct }),
    ),
    escalated: z.record(z.string(), z.number().int()).describe('Escalations per level.'),
    breached: z.record(z.string(), z.number().int()).describe('Breach events per clock.'),
  })
  .openapi('ReportSlaRow');

export const SlaReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    group_by: z.string().nullable(),
    rows: z.array(SlaRowSchema).describe('One per group value (empty without group_by).'),
    total: SlaRowSchema,
  })
  .openapi('ReportSla');

const DurFiguresSchema = z.object({
  count: z.number().int(),
  mean_ms: z.number().int().nullable(),
  median_ms: z.number().int().nullable(),
  p90_ms: z.number().int().nullable(),
});
const DurSchema = DurFiguresSchema.extend({ business: DurFiguresSchema }).openapi('ReportDuration');

export const AgentsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    rows: z.array(
      z.object({
        agent_id: z.string().nullable().describe('Null: tickets without an assignee.'),
        assigned: z.number().int(),
        resolved: z.number().int(),
        first_response: DurSchema,
        resolution: DurSchema,
      }),
    ),
  })
  .openapi('ReportAgents');

const AgeingSchema = z
  .object({
    lt_1d: z.number().int(),
    d1_3: z.number().int(),
    d3_7: z.number().int(),
    d7_30: z.number().int(),
    gt_30d: z.number().int(),
  })
  .openapi('ReportAgeing');

export const BacklogReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    group_by: z.string().nullable(),
    series: z.array(z.object({ date: z.string(), open: z.number().int() })),
    ageing: AgeingSchema,
    rows: z.array(z.object({ key: z.string().nullable(), open: z.number().int(), ageing: AgeingSchema })),
  })
  .openapi('ReportBacklog');

export const SettingsSchema = z
  .object({ time_zone: z.string().describe('IANA time zone the day buckets use.') })
  .openapi('ReportSettings');

export const RebuildResultSchema = z
  .object({
    orgs: z.array(
      z.object({
        org_id: z.string(),
        events: z.number().int(),
        generation: z.number().int(),
        time_zone: z.string(),
      }),
    ),
  })
  .openapi('ReportRebuild');

export const RebuildStatusSchema = z
  .object({
    org_id: z.string(),
    state: z
      .enum(['idle', 'running', 'stalled'])
      .describe(
        '`running`: a rebuild renews its heartbeat after every batch; `stalled`: its heartbeat stopped 2 minutes ago or more (its process died), and the maintenance sweep abandons it within 30 s.',
      ),
    live: z
      .object({ generation: z.number().int(), time_zone: z.string() })
      .describe('The generation the reports answer from now.'),
    running: z
      .object({
        generation: z.number().int(),
        time_zone: z.string(),
        heartbeat_at: z.string().describe('When the rebuild last renewed its claim (RFC 3339).'),
      })
      .nullable()
      .describe('The rebuild under way, if any; it becomes `live` when complete.'),
  })
  .openapi('ReportRebuildStatus');

export const csvResponse = { 'text/csv': { schema: z.string() } };
