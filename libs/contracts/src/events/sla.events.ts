import { z } from 'zod';
import { eventSchema } from '../envelope.ts';

/**
 * Published by the sla service, one per effect of a ticket's SLA workflow. The envelope's
 * `aggregateId` is the workflow id (`sla:ticket:<ticketId>`), a stream of its own whose `sequence`
 * grows with every effect recorded, so it never collides with the ticket's own events; `data.key`
 * is unique per effect and is what consumers dedupe on. `ticket.escalated` (ticket.events.ts)
 * comes from the same stream.
 */
export const SlaEvents = {
  Warning: 'sla.warning',
  Breached: 'sla.breached',
  Fulfilled: 'sla.fulfilled',
} as const;

export const SLA_CLOCKS = ['first_response', 'periodic_update', 'resolution'] as const;
export const SlaClockSchema = z.enum(SLA_CLOCKS);
export type SlaClock = z.infer<typeof SlaClockSchema>;

const iso = z.iso.datetime({ offset: true });
const ms = z.number().int().nonnegative();

const SlaEffectBase = z.object({
  ticketId: z.string(),
  clock: SlaClockSchema,
  /** 1 for the clock's first cycle; staff activity (periodic_update) or a reopen (resolution) starts another. */
  cycle: z.number().int().positive(),
  /** When it became due (business time reached the threshold), not when it was published. */
  at: iso,
  /** `<workflowId>:<clock>:<cycle>:<what>`: applying the same key twice must change nothing. */
  key: z.string(),
});

export const SlaWarningEventSchema = eventSchema(
  SlaEvents.Warning,
  SlaEffectBase.extend({
    /** The share of the target elapsed, e.g. 75. */
    percent: z.number().positive().max(100),
    targetMs: ms,
    /** When the clock breaches at this pace. */
    dueAt: iso,
  }),
);
export type SlaWarningEvent = z.infer<typeof SlaWarningEventSchema>;

export const SlaBreachedEventSchema = eventSchema(SlaEvents.Breached, SlaEffectBase.extend({ targetMs: ms }));
export type SlaBreachedEvent = z.infer<typeof SlaBreachedEventSchema>;

export const SlaFulfilledEventSchema = eventSchema(
  SlaEvents.Fulfilled,
  SlaEffectBase.extend({
    /** False when the clock had breached before it was fulfilled. */
    met: z.boolean(),
    targetMs: ms,
    /** Business time the clock ran, and stood paused, in this cycle. */
    elapsedMs: ms,
    pausedMs: ms,
  }),
);
export type SlaFulfilledEvent = z.infer<typeof SlaFulfilledEventSchema>;
