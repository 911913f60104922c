import type { SlaEffect } from '../domain/clocks.ts';
import { defaultPolicy, type ResolvedPolicy } from '../domain/policy.ts';
import type { CategoryViews, EffectLog } from '../use-cases/ports.ts';
import type { PolicyRequest, SlaActivities } from '../workflows/contract.ts';
import { effectEvent } from './effect-events.ts';

export interface ActivityDeps {
  categories: Pick<CategoryViews, 'defaultSlaHours'>;
  effects: Pick<EffectLog, 'record'>;
  /** Tells the outbox relay that an effect's event waits, so it goes out now rather than at the next sweep. */
  kick: (effectKey: string) => void;
  /**
   * The org's configured policies, first match wins; null when none matches (or none exists).
   * Configured policies come with their own change: until then every ticket gets the default.
   */
  matchPolicy?: (request: PolicyRequest) => Promise<ResolvedPolicy | null>;
  /** Told of each effect the first time it is recorded (metrics); never of a repeat. */
  onRecorded?: (effect: SlaEffect) => void;
}

/** All IO of the SLA workflow. Each activity is safe to retry: the workflow may run it again. */
export function createActivities(deps: ActivityDeps): SlaActivities {
  return {
    async resolvePolicy(request) {
      const configured = await deps.matchPolicy?.(request);
      if (configured) return configured;
      const hours =
        request.categoryId === null
          ? null
          : await deps.categories.defaultSlaHours(request.orgId, request.categoryId);
      return defaultPolicy(hours);
    },

    async recordEffects({ orgId, ticketId, workflowId, effects }) {
      // One after another, in the workflow's order: later effects get higher sequence numbers.
      for (const effect of effects) {
        const e = { orgId, ticketId, workflowId, effect };
        const outcome = await deps.effects.record(e, (sequence) => effectEvent(e, sequence));
        if (outcome === 'recorded') {
          deps.kick(effect.key);
          deps.onRecorded?.(effect);
        }
      }
    },
  };
}
