import { PrioritySchema, TicketStatusSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import type { ClockView } from '../domain/clocks.ts';
import type { TicketSlaView } from '../use-cases/get-ticket-sla.ts';

/*
 * Snake_case like the rest of the API (System A/B compatibility). Durations are whole seconds of
 * business time (the clock's calendar), instants ISO 8601 in UTC.
 */

const iso = z.iso.datetime({ offset: true });
const seconds = (ms: number) => Math.floor(ms / 1000);

export const ClockDtoSchema = z
  .object({
    clock: z.enum(['first_response', 'periodic_update', 'resolution']),
    cycle: z.number().int().describe('1 for the first; staff activity or a reopen starts another.'),
    state: z.enum(['running', 'paused', 'met', 'breached', 'off', 'stopped']),
    paused: z.boolean(),
    target_seconds: z.number().int().nullable().describe('Null: no target for this priority (`off`).'),
    due_at: iso
      .nullable()
      .describe('When it breaches (or breached) at this pace; null while paused or once met.'),
    remaining_seconds: z.number().int().nullable().describe('Negative once overdue.'),
    elapsed_seconds: z.number().int(),
    paused_seconds: z.number().int(),
    started_at: iso,
    ended_at: iso.nullable(),
    breached_at: iso.nullable(),
  })
  .openapi('SlaClock');

export const TicketSlaDtoSchema = z
  .object({
    ticket_id: z.string(),
    status: TicketStatusSchema,
    priority: PrioritySchema,
    policy: z.object({
      id: z.string().nullable().describe('Null: the built-in default (System A’s rule).'),
      name: z.string(),
      version: z.number().int().nullable(),
    }),
    escalation_level: z
      .number()
      .int()
      .nullable()
      .describe('Null for customers: it derives from the staff activity clock.'),
    finished: z.boolean().describe('Resolved, closed or cancelled: no clock runs.'),
    clocks: z
      .array(ClockDtoSchema)
      .describe('Customers see first_response and resolution; staff also periodic_update.'),
    next_event: z
      .object({
        kind: z.enum(['warning', 'breached', 'fulfilled', 'escalated']),
        clock: z.string(),
        at: iso,
        level: z.number().int().nullable(),
        percent: z.number().nullable(),
      })
      .nullable(),
  })
  .openapi('TicketSla');
export type TicketSlaDto = z.infer<typeof TicketSlaDtoSchema>;

function toClockDto(c: ClockView): z.infer<typeof ClockDtoSchema> {
  return {
    clock: c.clock,
    cycle: c.cycle,
    state: c.state,
    paused: c.paused,
    target_seconds: c.targetMs === null ? null : seconds(c.targetMs),
    due_at: c.dueAt,
    // Rounded up, so it reads 0 only once the target is reached.
    remaining_seconds: c.remainingMs === null ? null : Math.ceil(c.remainingMs / 1000),
    elapsed_seconds: seconds(c.elapsedMs),
    paused_seconds: seconds(c.pausedMs),
    started_at: c.startedAt,
    ended_at: c.endedAt,
    breached_at: c.breachedAt,
  };
}

export function toTicketSlaDto(v: TicketSlaView): TicketSlaDto {
  const next = v.nextEvent;
  return {
    ticket_id: v.ticketId,
    status: v.status,
    priority: v.priority,
    policy: v.policy,
    escalation_level: v.escalationLevel,
    finished: v.finished,
    clocks: v.clocks.map(toClockDto),
    next_event: next
      ? { kind: next.kind, clock: next.clock, at: next.at, level: next.level, percent: next.percent }
      : null,
  };
}

export const EscalateRequestSchema = z
  .strictObject({
    reason: z.string().trim().min(1).max(1000).describe('Kept in the escalation log.'),
  })
  .openapi('EscalateTicketRequest');

export const EscalateAcceptedSchema = z
  .object({
    ticket_id: z.string(),
    key: z.string().describe('The request’s key: repeating it escalates once.'),
  })
  .openapi('EscalationAccepted');
