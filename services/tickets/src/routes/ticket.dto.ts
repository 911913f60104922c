import {
  PageQuerySchema,
  PrioritySchema,
  pageSchema,
  TICKET_STATUSES,
  TicketStatusSchema,
} from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import { TICKET_SORTS } from '../domain/ports.ts';
import {
  firstResponseSeconds,
  resolutionSeconds,
  TAG_PATTERN,
  type Ticket,
  ticketKey,
} from '../domain/ticket.ts';

/*
 * Field names follow System A and System B (snake_case; `created_by` is the requester,
 * `assigned_to` the assignee), so both systems' clients read our tickets unchanged.
 */

const iso = z.iso.datetime({ offset: true });

export const TicketDtoSchema = z
  .object({
    id: z.string(),
    number: z
      .string()
      .describe('Per-org ticket number, e.g. `HD-000042`; also accepted in place of `id` in paths.'),
    org_id: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string().nullable(),
    priority: PrioritySchema,
    status: TicketStatusSchema,
    created_by: z.string().describe('The requester.'),
    assigned_to: z.string().nullable(),
    tags: z.array(z.string()),
    created_at: iso,
    updated_at: iso,
    first_response_at: iso.nullable(),
    first_response_seconds: z.number().int().nullable(),
    resolved_at: iso.nullable(),
    resolution_seconds: z.number().int().nullable(),
    closed_at: iso.nullable(),
    escalation_level: z.number().int(),
    reopen_count: z.number().int(),
    comment_count: z.number().int().describe('Public comments for customers; all comments for staff.'),
    version: z
      .number()
      .int()
      .describe('Also the ETag; send it back in If-Match to write only over this version.'),
  })
  .openapi('Ticket');
export type TicketDto = z.infer<typeof TicketDtoSchema>;

export function toTicketDto(t: Ticket, staff: boolean): TicketDto {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    number: ticketKey(t.number),
    org_id: t.orgId,
    title: t.title,
    description: t.description,
    category: t.categoryId,
    priority: t.priority,
    status: t.status,
    created_by: t.requesterId,
    assigned_to: t.assigneeId,
    tags: t.tags,
    created_at: t.createdAt.toISOString(),
    updated_at: (staff ? t.updatedAt : t.publicUpdatedAt).toISOString(),
    first_response_at: iso(t.firstResponseAt),
    first_response_seconds: firstResponseSeconds(t),
    resolved_at: iso(t.resolvedAt),
    resolution_seconds: resolutionSeconds(t),
    closed_at: iso(t.closedAt),
    escalation_level: t.escalationLevel,
    reopen_count: t.reopenCount,
    comment_count: staff ? t.commentCount : t.publicCommentCount,
    version: staff ? t.version : t.publicVersion,
  };
}

const Title = z.string().trim().min(1).max(200);
const Description = z.string().max(20_000);
const Tags = z.array(z.string().regex(TAG_PATTERN, 'letters, digits and _ . : -, at most 50')).max(20);
const Id = z.string().min(1).max(64);

export const CreateTicketRequestSchema = z
  .strictObject({
    title: Title,
    description: Description.default(''),
    category: Id.nullable().optional(),
    priority: PrioritySchema.optional().describe('Default: `medium`. Changing it later is for staff.'),
    tags: Tags.default([]),
    created_by: Id.optional().describe('Staff only: the user the ticket is for. Default: the caller.'),
  })
  .openapi('CreateTicketRequest');

export const UpdateTicketRequestSchema = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    category: Id.nullable().optional(),
    priority: PrioritySchema.optional().describe('Staff only.'),
    tags: Tags.optional(),
  })
  .openapi('UpdateTicketRequest');

export const AssignRequestSchema = z
  .strictObject({
    assigned_to: Id.nullable().describe('An active agent or admin of the org; `null` unassigns.'),
  })
  .openapi('AssignTicketRequest');

export const StatusRequestSchema = z
  .strictObject({ status: TicketStatusSchema })
  .openapi('TicketStatusRequest');

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(10));

const date = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((s) => new Date(s));

export const TicketListQuerySchema = PageQuerySchema.extend({
  status: csv(z.enum(TICKET_STATUSES)).optional().describe('One or more, comma-separated.'),
  priority: csv(PrioritySchema).optional(),
  assigned_to: Id.optional().describe('A user id, or `none` for unassigned tickets.'),
  category: Id.optional(),
  requester: Id.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Text in the title or description (case-insensitive).'),
  created_from: date.optional(),
  created_to: date.optional(),
  updated_from: date.optional(),
  updated_to: date.optional(),
  sort: z.enum(TICKET_SORTS).default('-created'),
});

export const TicketPageSchema = pageSchema(TicketDtoSchema).openapi('TicketPage');
