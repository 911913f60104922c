import { Context } from '@temporalio/activity';
import type { SlaEffect } from '../src/domain/clocks.ts';
import { defaultPolicy, type ResolvedPolicy } from '../src/domain/policy.ts';
import type { PolicyRequest, SlaActivities } from '../src/workflows/contract.ts';

/** One `recordEffects` call, as the workflow made it. */
export interface RecordedBatch {
  workflowId: string;
  /** When the workflow scheduled the call, on the Temporal server's (possibly skipped) clock. */
  scheduledAt: number;
  effects: SlaEffect[];
}

export interface FakeActivities {
  activities: SlaActivities;
  policyRequests: PolicyRequest[];
  batches: RecordedBatch[];
  /** Every recorded effect of one workflow, in the order recorded, each with its batch's time. */
  effectsOf(workflowId: string): (SlaEffect & { scheduledAt: number })[];
}

/**
 * Activities that record their calls and touch nothing. `resolvePolicy` answers with `policy` (a
 * fixed policy or one chosen per request), else the built-in default (System A). Calls are kept
 * raw, duplicates included, so a test sees exactly what the workflow asked for.
 */
export function fakeActivities(
  policy?: ResolvedPolicy | ((request: PolicyRequest) => ResolvedPolicy),
): FakeActivities {
  const policyRequests: PolicyRequest[] = [];
  const batches: RecordedBatch[] = [];
  const activities: SlaActivities = {
    async resolvePolicy(request) {
      policyRequests.push(request);
      if (typeof policy === 'function') return policy(request);
      return policy ?? defaultPolicy(null);
    },
    async recordEffects({ workflowId, effects }) {
      batches.push({ workflowId, scheduledAt: Context.current().info.scheduledTimestampMs, effects });
    },
  };
  return {
    activities,
    policyRequests,
    batches,
    effectsOf: (workflowId) =>
      batches
        .filter((b) => b.workflowId === workflowId)
        .flatMap((b) => b.effects.map((e) => ({ ...e, scheduledAt: b.scheduledAt }))),
  };
}
