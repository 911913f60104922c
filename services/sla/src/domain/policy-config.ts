import { type Condition, type EscalationAction, evaluateCondition, type Priority } from '@helpdesk/contracts';
import type { Calendar } from './business-time.ts';
import { CLOCKS, type ClockName, type ClockPolicy, type ResolvedPolicy } from './policy.ts';

/*
 * An org's configured SLA policy as stored (targets in minutes, calendars by id), how it matches a
 * ticket, and how it becomes the `ResolvedPolicy` the clock engine runs. Pure: the caller loads
 * the calendars and the category's hours.
 */

export const POLICY_CONDITION_FIELDS = [
  'priority',
  'category',
  'categoryId',
  'title',
  'tags',
  'status',
  'requester',
  'assignee',
] as const;

export type TargetsMinutes = Record<Priority, number | null>;

export interface PolicyClockConfig {
  targetsMinutes: TargetsMinutes;
  /** Null: 24x7. */
  calendarId: string | null;
  pauseStatuses: ClockPolicy['pauseStatuses'];
  warningPercents: number[];
}

export interface PolicyLadderStep {
  level: number;
  clock: ClockName;
  /** Business minutes past the clock's breach. */
  offsetMinutes: number;
  actions: EscalationAction[];
}

export interface PolicyConditions {
  priorities: Priority[] | null;
  categoryIds: string[] | null;
  condition: Condition | null;
}

export interface SlaPolicy {
  id: string;
  orgId: string;
  name: string;
  position: number;
  active: boolean;
  conditions: PolicyConditions;
  clocks: Record<ClockName, PolicyClockConfig>;
  escalations: PolicyLadderStep[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The ticket as policy conditions read it (`POLICY_CONDITION_FIELDS`). */
export type PolicyFields = Record<string, unknown>;

/** Whether every condition the policy sets holds; an inactive policy never matches. */
export function policyMatches(policy: SlaPolicy, fields: PolicyFields): boolean {
  if (!policy.active) return false;
  const { priorities, categoryIds, condition } = policy.conditions;
  if (priorities && !priorities.includes(fields.priority as Priority)) return false;
  const category = (fields.categoryId ?? fields.category ?? null) as string | null;
  if (categoryIds && (category === null || !categoryIds.includes(category))) return false;
  return condition === null || evaluateCondition(condition, fields);
}

/** The first match by position (then creation), or null. */
export function firstMatch(policies: SlaPolicy[], fields: PolicyFields): SlaPolicy | null {
  const ordered = [...policies].sort(
    (a, b) => a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime(),
  );
  return ordered.find((p) => policyMatches(p, fields)) ?? null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The engine's policy for `policy`. `calendars` holds every calendar the policy names (a missing
 * one is an error: the API refuses unknown ids, so this means it was lost). Where the policy
 * leaves the resolution target off for a priority and the ticket's category has default SLA
 * hours, those hours are the target: explicit targets win, the category fills the gaps.
 */
export function toResolvedPolicy(
  policy: SlaPolicy,
  calendars: ReadonlyMap<string, Calendar>,
  categoryDefaultSlaHours: number | null,
): ResolvedPolicy {
  const hours = categoryDefaultSlaHours;
  const categoryMs = hours !== null && Number.isFinite(hours) && hours > 0 ? Math.round(hours * HOUR) : null;
  const clocks = Object.fromEntries(
    CLOCKS.map((name) => {
      const c = policy.clocks[name];
      const targetsMs = Object.fromEntries(
        Object.entries(c.targetsMinutes).map(([p, m]) => [
          p,
          m === null ? (name === 'resolution' ? categoryMs : null) : m * MINUTE,
        ]),
      ) as ClockPolicy['targetsMs'];
      let calendar: Calendar | null = null;
      if (c.calendarId !== null) {
        const found = calendars.get(c.calendarId);
        if (!found) throw new Error(`calendar ${c.calendarId} of policy ${policy.id} is missing`);
        calendar = found;
      }
      const clock: ClockPolicy = {
        targetsMs,
        calendar,
        pauseStatuses: [...c.pauseStatuses],
        warningPercents: [...c.warningPercents],
      };
      return [name, clock];
    }),
  ) as Record<ClockName, ClockPolicy>;
  return {
    policyId: policy.id,
    version: policy.version,
    name: policy.name,
    clocks,
    escalations: policy.escalations.map((s) => ({
      clock: s.clock,
      level: s.level,
      stepUp: false,
      offsetMs: s.offsetMinutes * MINUTE,
      offsetPeriods: 0,
      actions: s.actions.map((a) => ({ ...a })),
    })),
  };
}

/** The calendar ids a policy names. */
export const calendarIdsOf = (policy: Pick<SlaPolicy, 'clocks'>): string[] => [
  ...new Set(CLOCKS.map((n) => policy.clocks[n].calendarId).filter((id): id is string => id !== null)),
];
