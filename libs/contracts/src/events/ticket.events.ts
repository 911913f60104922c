import { z } from 'zod';
import { eventSchema } from '../envelope.ts';
import { RoleSchema } from '../roles.ts';

export const TicketEvents = {
  Created: 'ticket.created',
  Updated: 'ticket.updated',
  Assigned: 'ticket.assigned',
  StatusChanged: 'ticket.status_changed',
  CommentAdded: 'ticket.comment_added',
  /** Published by the sla service; the tickets service applies it. */
  Escalated: 'ticket.escalated',
} as const;

export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const PrioritySchema = z.enum(TICKET_PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const TICKET_STATUSES = [
  'open',
  'assigned',
  'in_progress',
  'pending',
  'resolved',
  'closed',
  'cancelled',
] as const;
export const TicketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;

const iso = z.iso.datetime({ offset: true });

/**
 * The ticket as it is after the change, in every ticket event ("fat" events: a consumer can
 * project it without calling back). Counts of comments are public ones only, so nothing derived
 * from an event reveals that an internal note exists.
 */
export const TicketSnapshotSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  number: z.number().int().positive(),
  key: z.string(),
  title: z.string(),
  categoryId: z.string().nullable(),
  priority: PrioritySchema,
  status: TicketStatusSchema,
  requesterId: z.string(),
  assigneeId: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: iso,
  updatedAt: iso,
  firstResponseAt: iso.nullable(),
  resolvedAt: iso.nullable(),
  closedAt: iso.nullable(),
  escalationLevel: z.number().int().nonnegative(),
  reopenCount: z.number().int().nonnegative(),
  publicCommentCount: z.number().int().nonnegative(),
  version: z.number().int().positive(),
});
export type TicketSnapshot = z.infer<typeof TicketSnapshotSchema>;

export const FieldChangeSchema = z.object({ field: z.string(), old: z.unknown(), new: z.unknown() });
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const TicketCreatedEventSchema = eventSchema(
  TicketEvents.Created,
  z.object({ ticket: TicketSnapshotSchema }),
);

export const TicketUpdatedEventSchema = eventSchema(
  TicketEvents.Updated,
  z.object({ ticket: TicketSnapshotSchema, changes: z.array(FieldChangeSchema) }),
);

export const TicketAssignedEventSchema = eventSchema(
  TicketEvents.Assigned,
  z.object({
    ticket: TicketSnapshotSchema,
    previousAssigneeId: z.string().nullable(),
    /** `manual` by an admin, `rule` by an assignment rule on creation, `escalation` by an SLA ladder. */
    via: z.enum(['manual', 'rule', 'escalation']),
    ruleId: z.string().nullable(),
  }),
);

export const TicketStatusChangedEventSchema = eventSchema(
  TicketEvents.StatusChanged,
  z.object({
    ticket: TicketSnapshotSchema,
    from: TicketStatusSchema,
    to: TicketStatusSchema,
    reopened: z.boolean(),
  }),
);

export const TicketCommentAddedEventSchema = eventSchema(
  TicketEvents.CommentAdded,
  z.object({
    ticket: TicketSnapshotSchema,
    comment: z.object({
      id: z.string(),
      parentId: z.string().nullable(),
      authorId: z.string(),
      authorRole: RoleSchema,
      /** `internal` notes are staff-only: customer-facing read models must drop these events. */
      visibility: z.enum(['public', 'internal']),
      createdAt: iso,
    }),
    /** True when this comment is the ticket's first public reply by staff. */
    firstResponse: z.boolean(),
  }),
);

export const EscalationActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notify'), userIds: z.array(z.string()), roles: z.array(RoleSchema) }),
  z.object({ type: z.literal('reassign'), assigneeId: z.string() }),
  z.object({ type: z.literal('raise_priority'), to: PrioritySchema.optional() }),
]);
export type EscalationAction = z.infer<typeof EscalationActionSchema>;

export const TicketEscalatedEventSchema = eventSchema(
  TicketEvents.Escalated,
  z.object({
    ticketId: z.string(),
    level: z.number().int().positive(),
    clock: z.string(),
    reason: z.string(),
    /** Unique per escalation (`<workflowId>:<clock>:<cycle>:<level>`); applying it twice changes nothing. */
    key: z.string(),
    actions: z.array(EscalationActionSchema),
  }),
);
export type TicketEscalatedEvent = z.infer<typeof TicketEscalatedEventSchema>;
