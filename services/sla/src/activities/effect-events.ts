import {
  type Actor,
  type Envelope,
  SlaBreachedEventSchema,
  SlaEvents,
  SlaFulfilledEventSchema,
  SlaWarningEventSchema,
  TicketEscalatedEventSchema,
  TicketEvents,
} from '@helpdesk/contracts';
import { makeEnvelope } from '@helpdesk/messaging';
import type { RecordedEffect } from '../use-cases/ports.ts';

/** The sla service acts under this id, as the tickets service knows it. */
export const SLA_ACTOR: Actor = { type: 'system', id: 'sla' };

/**
 * The event of one effect, in the workflow's stream (`aggregateId` = workflow id). `occurredAt` is
 * when the effect became due, not when it was recorded: a worker that was down publishes late,
 * but reports count it where it happened. Checked against its contract before it is stored, so
 * nothing malformed ever reaches the outbox.
 */
export function effectEvent(
  { orgId, ticketId, workflowId, effect }: RecordedEffect,
  sequence: number,
): Envelope {
  const base = { orgId, aggregateId: workflowId, sequence, occurredAt: new Date(effect.at) };
  switch (effect.kind) {
    case 'escalated': {
      // Only admins escalate by hand (POST /api/tickets/{id}/sla/escalate/).
      const actor: Actor = effect.actorId ? { type: 'user', id: effect.actorId, role: 'admin' } : SLA_ACTOR;
      const data = {
        ticketId,
        level: effect.level,
        clock: effect.clock,
        reason: effect.reason,
        key: effect.key,
        actions: effect.actions,
      };
      return TicketEscalatedEventSchema.parse(
        makeEnvelope({ ...base, type: TicketEvents.Escalated, actor, data }),
      );
    }
    case 'warning': {
      const { clock, cycle, at, key, percent, targetMs, dueAt } = effect;
      const data = { ticketId, clock, cycle, at, key, percent, targetMs, dueAt };
      return SlaWarningEventSchema.parse(
        makeEnvelope({ ...base, type: SlaEvents.Warning, actor: SLA_ACTOR, data }),
      );
    }
    case 'breached': {
      const { clock, cycle, at, key, targetMs } = effect;
      const data = { ticketId, clock, cycle, at, key, targetMs };
      return SlaBreachedEventSchema.parse(
        makeEnvelope({ ...base, type: SlaEvents.Breached, actor: SLA_ACTOR, data }),
      );
    }
    case 'fulfilled': {
      const { clock, cycle, at, key, met, targetMs, elapsedMs, pausedMs } = effect;
      const data = { ticketId, clock, cycle, at, key, met, targetMs, elapsedMs, pausedMs };
      return SlaFulfilledEventSchema.parse(
        makeEnvelope({ ...base, type: SlaEvents.Fulfilled, actor: SLA_ACTOR, data }),
      );
    }
  }
}
