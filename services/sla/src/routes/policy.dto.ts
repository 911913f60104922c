import {
  ConditionSchema,
  conditionFields,
  type EscalationAction,
  PrioritySchema,
  RoleSchema,
  TicketStatusSchema,
} from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import { CLOCKS, type ClockName, DEFAULT_PAUSE_STATUSES } from '../domain/policy.ts';
import {
  POLICY_CONDITION_FIELDS,
  type PolicyClockConfig,
  type PolicyLadderStep,
  type SlaPolicy,
} from '../domain/policy-config.ts';
import type { PolicyFieldsInput } from '../use-cases/config-ports.ts';

const iso = z.iso.datetime({ offset: true });
const Id = z.string().min(1).max(64);
const Name = z.string().trim().min(1).max(100);
const Position = z.number().int().min(0).max(1_000_000);
const unique = <T>(xs: T[]) => new Set(xs).size === xs.length;

const Minutes = z.number().int().min(1).max(525_600).nullable().default(null);
const TargetsSchema = z
  .strictObject({ low: Minutes, medium: Minutes, high: Minutes, critical: Minutes })
  .describe('Business minutes per priority; null (or left out): the clock is off for that priority.');

const ClockConfigSchema = z.strictObject({
  targets_minutes: TargetsSchema.default({ low: null, medium: null, high: null, critical: null }),
  calendar_id: Id.nullable()
    .default(null)
    .describe('One of the org’s calendars (`/api/sla/calendars/`); null: 24x7.'),
  pause_statuses: z
    .array(TicketStatusSchema)
    .max(10)
    .refine(unique, 'each status at most once')
    .default([...DEFAULT_PAUSE_STATUSES]),
  warning_percents: z
    .array(z.number().gt(0).lt(100))
    .max(5)
    .refine(unique, 'each percentage at most once')
    .default([]),
});
type ClockConfigDto = z.infer<typeof ClockConfigSchema>;
const clockOff = (): ClockConfigDto => ClockConfigSchema.parse({});

const ClockEnum = z.enum(CLOCKS);
const ClocksSchema = z
  .strictObject(
    Object.fromEntries(CLOCKS.map((c) => [c, ClockConfigSchema.optional()])) as Record<
      ClockName,
      z.ZodOptional<typeof ClockConfigSchema>
    >,
  )
  .describe('Per clock; a clock left out is off (on PATCH: keeps its settings).');

const ActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('notify'),
    user_ids: z.array(Id).max(50).default([]),
    roles: z.array(RoleSchema).max(3).default([]),
  }),
  z.strictObject({ type: z.literal('reassign'), assigned_to: Id }),
  z.strictObject({ type: z.literal('raise_priority'), to: PrioritySchema.nullable().default(null) }),
]);

const StepSchema = z.strictObject({
  level: z.number().int().min(1).max(10),
  clock: ClockEnum,
  offset_minutes: z
    .number()
    .int()
    .min(0)
    .max(525_600)
    .default(0)
    .describe('Business minutes past the clock’s breach (its own calendar; stands still while paused).'),
  actions: z.array(ActionSchema).max(10).default([]),
});

const known = new Set<string>(POLICY_CONDITION_FIELDS);
const PolicyCondition = ConditionSchema.superRefine((c, ctx) => {
  for (const f of conditionFields(c).filter((f) => !known.has(f))) {
    ctx.addIssue({
      code: 'custom',
      message: `${f} is not a ticket field; use one of ${POLICY_CONDITION_FIELDS.join(', ')}`,
    });
  }
});

const ConditionsSchema = z.strictObject({
  priority: z.array(PrioritySchema).min(1).max(4).nullable().optional().describe('Any of these; null: any.'),
  category: z
    .array(Id)
    .min(1)
    .max(50)
    .nullable()
    .optional()
    .describe('Any of these category ids; null: any.'),
  condition: PolicyCondition.nullable().optional(),
});

const ApplyTo = z
  .enum(['new_tickets', 'running_tickets'])
  .default('new_tickets')
  .describe(
    '`running_tickets`: every open ticket resolves its policy again now (elapsed and paused time kept). `new_tickets`: running tickets keep theirs until their own priority or category changes.',
  );
export const ApplyToQuerySchema = z.object({ apply_to: ApplyTo });

const Ladder = z.array(StepSchema).max(20);

export const CreatePolicyRequestSchema = z
  .strictObject({
    name: Name,
    position: Position.optional().describe('Policies match by ascending position; default: last.'),
    active: z.boolean().default(true),
    conditions: ConditionsSchema.default({}),
    clocks: ClocksSchema.default({}),
    escalations: Ladder.default([]),
    apply_to: ApplyTo,
  })
  .openapi('CreateSlaPolicyRequest');

export const UpdatePolicyRequestSchema = z
  .strictObject({
    name: Name.optional(),
    position: Position.optional(),
    active: z.boolean().optional(),
    conditions: ConditionsSchema.optional().describe('Replaces only the conditions given.'),
    clocks: ClocksSchema.optional().describe(
      'Replaces the settings of the clocks given; the others keep theirs.',
    ),
    escalations: Ladder.optional().describe('Replaces the whole ladder.'),
    apply_to: ApplyTo,
  })
  .openapi('UpdateSlaPolicyRequest');

type ActionDto = z.infer<typeof ActionSchema>;
type StepDto = z.infer<typeof StepSchema>;

const toAction = (a: ActionDto): EscalationAction => {
  if (a.type === 'notify') return { type: a.type, userIds: a.user_ids, roles: a.roles };
  if (a.type === 'reassign') return { type: a.type, assigneeId: a.assigned_to };
  return a.to === null ? { type: a.type } : { type: a.type, to: a.to };
};
const fromAction = (a: EscalationAction): ActionDto => {
  if (a.type === 'notify') return { type: a.type, user_ids: a.userIds, roles: a.roles };
  if (a.type === 'reassign') return { type: a.type, assigned_to: a.assigneeId };
  return { type: a.type, to: a.to ?? null };
};

const toClock = (c: ClockConfigDto): PolicyClockConfig => ({
  targetsMinutes: { ...c.targets_minutes },
  calendarId: c.calendar_id,
  pauseStatuses: c.pause_statuses,
  warningPercents: c.warning_percents,
});
const fromClock = (c: PolicyClockConfig): ClockConfigDto => ({
  targets_minutes: { ...c.targetsMinutes },
  calendar_id: c.calendarId,
  pause_statuses: c.pauseStatuses,
  warning_percents: c.warningPercents,
});
const toStep = (s: StepDto): PolicyLadderStep => ({
  level: s.level,
  clock: s.clock,
  offsetMinutes: s.offset_minutes,
  actions: s.actions.map(toAction),
});

type CreateBody = z.infer<typeof CreatePolicyRequestSchema>;
type UpdateBody = z.infer<typeof UpdatePolicyRequestSchema>;

export function toPolicyInput(
  b: CreateBody,
): Omit<PolicyFieldsInput, 'position'> & { position: number | undefined } {
  return {
    name: b.name,
    position: b.position,
    active: b.active,
    conditions: {
      priorities: b.conditions.priority ?? null,
      categoryIds: b.conditions.category ?? null,
      condition: b.conditions.condition ?? null,
    },
    clocks: Object.fromEntries(
      CLOCKS.map((n) => [n, toClock(b.clocks[n] ?? clockOff())]),
    ) as PolicyFieldsInput['clocks'],
    escalations: b.escalations.map(toStep),
  };
}

/** PATCH: the given fields over the stored policy. */
export const mergePolicy =
  (b: UpdateBody) =>
  (p: SlaPolicy): PolicyFieldsInput => ({
    name: b.name ?? p.name,
    position: b.position ?? p.position,
    active: b.active ?? p.active,
    conditions: {
      priorities: b.conditions?.priority !== undefined ? b.conditions.priority : p.conditions.priorities,
      categoryIds: b.conditions?.category !== undefined ? b.conditions.category : p.conditions.categoryIds,
      condition: b.conditions?.condition !== undefined ? b.conditions.condition : p.conditions.condition,
    },
    clocks: Object.fromEntries(
      CLOCKS.map((n) => {
        const given = b.clocks?.[n];
        return [n, given ? toClock(given) : p.clocks[n]];
      }),
    ) as PolicyFieldsInput['clocks'],
    escalations: b.escalations ? b.escalations.map(toStep) : p.escalations,
  });

const ClockResponse = z.object({
  targets_minutes: z.object({
    low: z.number().nullable(),
    medium: z.number().nullable(),
    high: z.number().nullable(),
    critical: z.number().nullable(),
  }),
  calendar_id: z.string().nullable(),
  pause_statuses: z.array(TicketStatusSchema),
  warning_percents: z.array(z.number()),
});

export const PolicyResponseSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    position: z.number().int(),
    active: z.boolean(),
    conditions: z.object({
      priority: z.array(PrioritySchema).nullable(),
      category: z.array(z.string()).nullable(),
      condition: z.unknown().nullable(),
    }),
    clocks: z.object({
      first_response: ClockResponse,
      periodic_update: ClockResponse,
      resolution: ClockResponse,
    }),
    escalations: z.array(
      z.object({
        level: z.number().int(),
        clock: ClockEnum,
        offset_minutes: z.number().int(),
        actions: z.array(z.record(z.string(), z.unknown())),
      }),
    ),
    version: z.number().int().describe('Grows by one with every change.'),
    created_at: iso,
    updated_at: iso,
  })
  .openapi('SlaPolicy');
export type PolicyResponse = z.infer<typeof PolicyResponseSchema>;

export const PolicyListSchema = z.object({ results: z.array(PolicyResponseSchema) }).openapi('SlaPolicyList');

export const toPolicyResponse = (p: SlaPolicy): PolicyResponse => ({
  id: p.id,
  name: p.name,
  position: p.position,
  active: p.active,
  conditions: {
    priority: p.conditions.priorities,
    category: p.conditions.categoryIds,
    condition: p.conditions.condition,
  },
  clocks: {
    first_response: fromClock(p.clocks.first_response),
    periodic_update: fromClock(p.clocks.periodic_update),
    resolution: fromClock(p.clocks.resolution),
  },
  escalations: p.escalations.map((s) => ({
    level: s.level,
    clock: s.clock,
    offset_minutes: s.offsetMinutes,
    actions: s.actions.map(fromAction),
  })),
  version: p.version,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});
