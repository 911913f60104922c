import { PageQuerySchema, PrioritySchema, pageSchema, RoleSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import type { Escalation } from '../use-cases/ports.ts';

const iso = z.iso.datetime({ offset: true });

const ActionDtoSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notify'), user_ids: z.array(z.string()), roles: z.array(RoleSchema) }),
  z.object({ type: z.literal('reassign'), assigned_to: z.string() }),
  z.object({ type: z.literal('raise_priority'), to: PrioritySchema.nullable() }),
]);

export const EscalationDtoSchema = z
  .object({
    id: z.string().describe('The escalation’s key: unique, and the same in its `ticket.escalated` event.'),
    ticket: z.string().describe('The ticket id.'),
    level: z.number().int(),
    clock: z.string().describe('The clock whose breach escalated, or `manual`.'),
    reason: z.string(),
    actions: z.array(ActionDtoSchema),
    automatic: z.boolean(),
    escalated_by: z.string().nullable().describe('The admin who escalated by hand; null when automatic.'),
    escalated_at: iso,
    recorded_at: iso,
  })
  .openapi('Escalation');
export type EscalationDto = z.infer<typeof EscalationDtoSchema>;

export const EscalationPageSchema = pageSchema(EscalationDtoSchema).openapi('EscalationPage');

export const EscalationListQuerySchema = PageQuerySchema.extend({
  ticket: z.string().min(1).max(64).optional().describe('A ticket id or number (`HD-000042`).'),
  from: iso.optional().describe('Escalated at or after this instant.'),
  to: iso.optional().describe('Escalated before this instant.'),
});

export function toEscalationDto(e: Escalation): EscalationDto {
  return {
    id: e.key,
    ticket: e.ticketId,
    level: e.level,
    clock: e.clock,
    reason: e.reason,
    actions: e.actions.map((a) => {
      if (a.type === 'notify') return { type: a.type, user_ids: a.userIds, roles: a.roles };
      if (a.type === 'reassign') return { type: a.type, assigned_to: a.assigneeId };
      return { type: a.type, to: a.to ?? null };
    }),
    automatic: e.actorId === null,
    escalated_by: e.actorId,
    escalated_at: e.at.toISOString(),
    recorded_at: e.recordedAt.toISOString(),
  };
}
