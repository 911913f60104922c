import type { EscalationAction, Priority, TicketStatus } from '@helpdesk/contracts';
import type { Calendar } from './business-time.ts';

/*
 * A resolved SLA policy: what the clock engine (clocks.ts) needs for one ticket, after the org's
 * policies were matched and their calendars loaded. Plain data only (it travels inside workflow
 * state through continue-as-new and JSON), and only type imports from contracts, so the workflow
 * bundle does not pull zod in.
 */

export const CLOCKS = ['first_response', 'periodic_update', 'resolution'] as const;
export type ClockName = (typeof CLOCKS)[number];

/** Target per priority in ms of business time; null: the clock is off for that priority. */
export type Targets = Record<Priority, number | null>;

export interface ClockPolicy {
  targetsMs: Targets;
  /** Business hours the clock counts in; null: 24x7. */
  calendar: Calendar | null;
  /** Statuses in which the clock stands still (its time there is kept apart as paused time). */
  pauseStatuses: TicketStatus[];
  /** Percentages of the target (0 < p < 100) at which a warning fires once per cycle. */
  warningPercents: number[];
}

/**
 * One rung of the escalation ladder. It fires when its clock's elapsed business time reaches
 * `target + offsetMs + offsetPeriods * target` (so offsets are business time on the clock's
 * calendar and stand still while the clock is paused), once per cycle of that clock.
 *
 * Fixed steps (`stepUp: false`, what admins configure) escalate to `level`. Step-up steps
 * (System A) escalate one level above the ticket's current level, never beyond `level`, and
 * are skipped once the ticket is there: the level is a counter that staff activity does not
 * reset, so after a restart of the clock the next period raises it again from where it was.
 */
export interface EscalationStep {
  clock: ClockName;
  level: number;
  stepUp: boolean;
  offsetMs: number;
  /** In multiples of the clock's target for the ticket's priority ("each further period"). */
  offsetPeriods: number;
  actions: EscalationAction[];
}

export interface ResolvedPolicy {
  /** The org's policy that matched; null for the built-in default. */
  policyId: string | null;
  version: number | null;
  name: string;
  clocks: Record<ClockName, ClockPolicy>;
  escalations: EscalationStep[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const OFF: Targets = { low: null, medium: null, high: null, critical: null };

/** System A: a ticket not updated by staff within this long is escalated. */
export const SYSTEM_A_PERIODS_MS: Readonly<Targets> = {
  critical: 30 * MINUTE,
  high: HOUR,
  medium: 4 * HOUR,
  low: 24 * HOUR,
};

/** System A stops escalating at this level. */
export const SYSTEM_A_MAX_LEVEL = 3;

export const DEFAULT_PAUSE_STATUSES: readonly TicketStatus[] = ['pending'];

const clock = (targetsMs: Targets): ClockPolicy => ({
  targetsMs: { ...targetsMs },
  calendar: null,
  pauseStatuses: [...DEFAULT_PAUSE_STATUSES],
  warningPercents: [],
});

/**
 * The policy of an org without configuration: System A's rule exactly (no staff activity for a
 * period escalates, and again at each further period, up to level 3; 24x7, no warnings), plus the
 * category's default SLA hours as the resolution target for every priority when there are some.
 */
export function defaultPolicy(categoryDefaultSlaHours: number | null): ResolvedPolicy {
  const hours = categoryDefaultSlaHours;
  const resolution =
    hours !== null && Number.isFinite(hours) && hours > 0 ? uniform(Math.round(hours * HOUR)) : OFF;
  return {
    policyId: null,
    version: null,
    name: 'default',
    clocks: {
      first_response: clock(OFF),
      periodic_update: clock(SYSTEM_A_PERIODS_MS),
      resolution: clock(resolution),
    },
    escalations: [0, 1, 2].map((periods) => ({
      clock: 'periodic_update' as const,
      level: SYSTEM_A_MAX_LEVEL,
      stepUp: true,
      offsetMs: 0,
      offsetPeriods: periods,
      actions: [],
    })),
  };
}

const uniform = (ms: number): Targets => ({ low: ms, medium: ms, high: ms, critical: ms });

export const targetFor = (policy: ResolvedPolicy, name: ClockName, priority: Priority): number | null =>
  policy.clocks[name].targetsMs[priority] ?? null;

/** The elapsed business time of its clock at which `step` fires, for a clock target of `targetMs`. */
export const stepThresholdMs = (step: EscalationStep, targetMs: number): number =>
  targetMs + step.offsetMs + step.offsetPeriods * targetMs;
