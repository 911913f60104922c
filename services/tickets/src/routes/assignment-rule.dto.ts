import {
  ConditionSchema,
  conditionFields,
  PageQuerySchema,
  PrioritySchema,
  pageSchema,
} from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import { type AssignmentRule, type AssignmentStrategy, CONDITION_FIELDS } from '../domain/assignment-rule.ts';
import type { RuleEvaluation } from '../use-cases/auto-assign.ts';
import type { AssignmentRuleInput } from '../use-cases/create-assignment-rule.ts';
import type { DryRunResult } from '../use-cases/dry-run-assignment.ts';
import { CreateTicketRequestSchema } from './ticket.dto.ts';

const Id = z.string().min(1).max(64);
const iso = z.iso.datetime({ offset: true });

const AgentIds = z
  .array(Id)
  .min(1)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, 'each agent at most once');

export const StrategySchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('agent'), agent_id: Id }).describe('Always this agent.'),
    z
      .strictObject({ type: z.literal('round_robin'), agent_ids: AgentIds })
      .describe('Each agent in turn; the turn is kept in the database.'),
    z
      .strictObject({ type: z.literal('least_loaded'), agent_ids: AgentIds })
      .describe('The agent with the fewest tickets in an active status; ties go to the one listed first.'),
  ])
  .openapi('AssignmentStrategy');

const known = new Set<string>(CONDITION_FIELDS);
const RuleCondition = ConditionSchema.superRefine((c, ctx) => {
  for (const f of conditionFields(c).filter((f) => !known.has(f))) {
    ctx.addIssue({
      code: 'custom',
      message: `${f} is not a ticket field; use one of ${CONDITION_FIELDS.join(', ')}`,
    });
  }
}).describe(
  `A condition (equals, in, contains, and, or, not) over the fields ${CONDITION_FIELDS.join(', ')}.`,
);

const ConditionsRequest = z.strictObject({
  priority: z
    .array(PrioritySchema)
    .min(1)
    .max(4)
    .nullable()
    .optional()
    .describe('Any of these; null: any priority.'),
  category: z
    .array(Id)
    .min(1)
    .max(50)
    .nullable()
    .optional()
    .describe('Any of these category ids; null: any.'),
  condition: RuleCondition.nullable().optional(),
});

const Name = z.string().trim().min(1).max(100);
const Position = z.number().int().min(0).max(1_000_000);

export const CreateAssignmentRuleRequestSchema = z
  .strictObject({
    name: Name,
    position: Position.optional().describe(
      'Rules run by ascending position, then by creation. Default: last.',
    ),
    active: z.boolean().default(true),
    conditions: ConditionsRequest.default({}).describe(
      'Every condition set must hold; leave one out for "any".',
    ),
    strategy: StrategySchema,
  })
  .openapi('CreateAssignmentRuleRequest');

export const UpdateAssignmentRuleRequestSchema = z
  .strictObject({
    name: Name.optional(),
    position: Position.optional(),
    active: z.boolean().optional(),
    conditions: ConditionsRequest.optional().describe('Replaces only the conditions given.'),
    strategy: StrategySchema.optional(),
  })
  .openapi('UpdateAssignmentRuleRequest');

type StrategyDto = z.infer<typeof StrategySchema>;
type ConditionsDto = z.infer<typeof ConditionsRequest>;

export const toStrategy = (s: StrategyDto): AssignmentStrategy =>
  s.type === 'agent' ? { type: 'agent', agentId: s.agent_id } : { type: s.type, agentIds: s.agent_ids };

export const toConditions = (c: ConditionsDto): NonNullable<AssignmentRuleInput['conditions']> => ({
  ...(c.priority !== undefined ? { priorities: c.priority } : {}),
  ...(c.category !== undefined ? { categoryIds: c.category } : {}),
  ...(c.condition !== undefined ? { condition: c.condition } : {}),
});

export const AssignmentRuleDtoSchema = z
  .object({
    id: z.string(),
    org_id: z.string(),
    name: z.string(),
    position: z.number().int(),
    active: z.boolean(),
    conditions: z.object({
      priority: z.array(PrioritySchema).nullable(),
      category: z.array(z.string()).nullable(),
      condition: ConditionSchema.nullable(),
    }),
    strategy: StrategySchema,
    created_at: iso,
    updated_at: iso,
  })
  .openapi('AssignmentRule');
export type AssignmentRuleDto = z.infer<typeof AssignmentRuleDtoSchema>;

export const toAssignmentRuleDto = (r: AssignmentRule): AssignmentRuleDto => ({
  id: r.id,
  org_id: r.orgId,
  name: r.name,
  position: r.position,
  active: r.active,
  conditions: {
    priority: r.conditions.priorities,
    category: r.conditions.categoryIds,
    condition: r.conditions.condition,
  },
  strategy:
    r.strategy.type === 'agent'
      ? { type: 'agent', agent_id: r.strategy.agentId }
      : { type: r.strategy.type, agent_ids: r.strategy.agentIds },
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

export const AssignmentRuleListQuerySchema = PageQuerySchema;
export const AssignmentRulePageSchema = pageSchema(AssignmentRuleDtoSchema).openapi('AssignmentRulePage');

export const DryRunRequestSchema = CreateTicketRequestSchema.extend({}).openapi('AssignmentDryRunRequest');

const EvaluationSchema = z.object({
  rule_id: z.string(),
  name: z.string(),
  position: z.number().int(),
  outcome: z
    .enum(['selected', 'inactive', 'no_match', 'no_eligible_agent', 'shadowed'])
    .describe('`shadowed`: matches and finds an agent, but an earlier rule wins.'),
  matched: z.boolean().describe('Whether all its conditions hold.'),
  reasons: z.array(z.string()).describe('One line per condition, then one about the agent.'),
  agent_id: z.string().nullable(),
});

export const DryRunResultSchema = z
  .object({
    rule_id: z.string().nullable(),
    agent_id: z.string().nullable(),
    summary: z.string(),
    fields: z.record(z.string(), z.unknown()).describe('The ticket fields as the conditions read them.'),
    rules: z.array(EvaluationSchema),
  })
  .openapi('AssignmentDryRunResult');
export type DryRunResultDto = z.infer<typeof DryRunResultSchema>;

const toEvaluationDto = (e: RuleEvaluation) => ({
  rule_id: e.rule.id,
  name: e.rule.name,
  position: e.rule.position,
  outcome: e.outcome,
  matched: e.matched,
  reasons: e.reasons,
  agent_id: e.agentId,
});

export const toDryRunDto = (r: DryRunResult): DryRunResultDto => ({
  rule_id: r.ruleId,
  agent_id: r.agentId,
  summary: r.summary,
  fields: r.fields,
  rules: r.rules.map(toEvaluationDto),
});
