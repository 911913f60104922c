import type { EscalationAction } from '@helpdesk/contracts';
import {
  type ClockName,
  type ClockPolicy,
  defaultPolicy,
  type ResolvedPolicy,
} from '../src/domain/policy.ts';

/** The same target for every priority. */
export const everyPriority = (ms: number | null) => ({ low: ms, medium: ms, high: ms, critical: ms });

/** The default policy (System A) with some clocks' settings and the ladder replaced. */
export function customPolicy(
  name: string,
  clocks: Partial<Record<ClockName, Partial<ClockPolicy>>>,
  escalations?: ResolvedPolicy['escalations'],
): ResolvedPolicy {
  const base = defaultPolicy(null);
  const merged = { ...base.clocks };
  for (const [clock, over] of Object.entries(clocks) as [ClockName, Partial<ClockPolicy>][])
    merged[clock] = { ...merged[clock], ...over };
  return {
    ...base,
    policyId: `policy-${name}`,
    version: 1,
    name,
    clocks: merged,
    escalations: escalations ?? base.escalations,
  };
}

/** A fixed ladder rung: `level` once `clock` has run its target plus `offsetMs`. */
export const rung = (
  clock: ClockName,
  level: number,
  offsetMs: number,
  actions: EscalationAction[],
): ResolvedPolicy['escalations'][number] => ({
  clock,
  level,
  stepUp: false,
  offsetMs,
  offsetPeriods: 0,
  actions,
});
