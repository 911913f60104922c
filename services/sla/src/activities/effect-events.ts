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
import { ApplicationFailure, asyncLocalStorage } from '@temporalio/activity';
import type { RecordedEffect } from '../use-cases/ports.ts';

/** The sla service acts under this id, as the tickets service knows it. */
export const SLA_ACTOR: Actor = { type: 'system', id: 'sla' };

/**
 * The event of one effect, in the workflow's stream (`aggregateId` = workflow id). `occurredAt` is
 * when the effect became due, not when it was recorded: a worker that was down publishes late,
 * but reports count it where it happened. Checked against its contract before it is stored, so
 * nothing malformed ever reaches the outbox. A violation is permanent (the same effect breaks the
 * same way on every attempt), so it fails the activity for good instead of retrying forever and
 * holding up the ticket's workflow.
 */
export function effectEvent(recorded: RecordedEffect, sequence: number): Envelope {
  try {
    return buildEvent(recorded, sequence);
  } catch (error) {
    if (!isZodError(error)) throw error;
    const { orgId, ticketId, workflowId, effect } = recorded;
    const details = { orgId, ticketId, workflowId, effectKey: effect.key, issues: error.issues };
    // Outside an activity (no context) the thrown failure still carries the details.
    asyncLocalStorage.getStore()?.log.error('sla effect violates its event contract', details);
    throw ApplicationFailure.nonRetryable(
      `effect ${effect.key} violates its event contract: ${error.message}`,
      'SLA_EFFECT_CONTRACT_VIOLATION',
      details,
    );
  }
}

// By name: the contracts package may bring its own copy of zod.
const isZodError = (error: unknown): error is Error & { issues: unknown[] } =>
  error instanceof Error &&
  error.name === 'ZodError' &&
  Array.isArray((error as { issues?: unknown }).issues);

function buildEvent({ orgId, ticketId, workflowId, effect }: RecordedEffect, sequence: number): Envelope {
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
