import { PrioritySchema, TicketStatusSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import { CreateCategoryRequestSchema, UpdateCategoryRequestSchema } from './category.dto.ts';
import { CreateTicketRequestSchema, TicketListQuerySchema, UpdateTicketRequestSchema } from './ticket.dto.ts';

/*
 * System B's bodies: our fields plus that system's names for them (see docs/tickets.md, "System
 * B"). Each alias means the same as our field; giving both with different values is refused.
 */

const Id = z.string().min(1).max(64);
const SlaHours = z.number().positive().max(8760).nullable();

/** Folds `alias` into `field`; both present and different is a 400 on the alias. */
function alias<T extends Record<string, unknown>>(field: string, aliasName: string) {
  return (b: T, ctx: z.RefinementCtx) => {
    if (b[aliasName] !== undefined && b[field] !== undefined && b[aliasName] !== b[field]) {
      ctx.addIssue({
        code: 'custom',
        path: [aliasName],
        message: `the same as \`${field}\`; give one of them`,
      });
    }
  };
}

export const SystemBCategoryBodySchema = UpdateCategoryRequestSchema.extend({
  sla_hours: SlaHours.optional().describe('System B name of `default_sla_hours`.'),
})
  .superRefine(alias('default_sla_hours', 'sla_hours'))
  .openapi('SystemBCategoryRequest');

export const SystemBCreateCategorySchema = CreateCategoryRequestSchema.extend({
  // Without the default (null), so an `sla_hours` alone is not taken for a disagreement.
  default_sla_hours: SlaHours.optional(),
  sla_hours: SlaHours.optional().describe('System B name of `default_sla_hours`.'),
})
  .superRefine(alias('default_sla_hours', 'sla_hours'))
  .openapi('SystemBCreateCategoryRequest');

export const SystemBCreateTicketSchema = CreateTicketRequestSchema.extend({
  category_id: Id.nullable().optional().describe('System B name of `category`.'),
  assigned_to: Id.nullable().optional().describe('Admins only: assign the new ticket at once.'),
})
  .superRefine(alias('category', 'category_id'))
  .openapi('SystemBCreateTicketRequest');

export const SystemBUpdateTicketSchema = UpdateTicketRequestSchema.extend({
  category_id: Id.nullable().optional().describe('System B name of `category`.'),
  status: TicketStatusSchema.optional().describe('Staff only, when it changes.'),
  assigned_to: Id.nullable().optional().describe('Admins only, when it changes.'),
  priority: PrioritySchema.optional().describe('Staff only, when it changes.'),
})
  .superRefine(alias('category', 'category_id'))
  .openapi('SystemBUpdateTicketRequest');

export const SystemBTicketListQuerySchema = TicketListQuerySchema.extend({
  created_by: Id.optional().describe('System B name of `requester`.'),
  search: z.string().trim().min(1).max(200).optional().describe('System B name of `q`.'),
});

export const OrgParams = z.object({ org_id: z.string().min(1).max(64) });
export const OrgItemParams = OrgParams.extend({ pk: z.string().min(1).max(64) });
export const TicketIdParams = z.object({ ticket_id: z.string().min(1).max(64) });
