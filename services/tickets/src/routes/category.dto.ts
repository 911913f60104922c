import { PageQuerySchema, pageSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import type { Category } from '../domain/ports.ts';

const iso = z.iso.datetime({ offset: true });

/** One year: a longer target is a typo, not an SLA. */
const MAX_SLA_HOURS = 8760;

const Name = z.string().trim().min(1).max(100);
const Description = z.string().max(2000);
const SlaHours = z
  .number()
  .positive()
  .max(MAX_SLA_HOURS)
  .nullable()
  .describe(
    'The default SLA target, in hours, for tickets of this category; null: none (the SLA policies decide).',
  );

export const CategoryDtoSchema = z
  .object({
    id: z.string(),
    org_id: z.string(),
    name: z.string(),
    description: z.string(),
    default_sla_hours: SlaHours.optional().describe(
      'Staff only: absent for customers. The default SLA target in hours; null: none.',
    ),
    is_active: z.boolean().describe('Inactive categories take no new tickets.'),
    created_at: iso,
    updated_at: iso,
  })
  .openapi('Category');
export type CategoryDto = z.infer<typeof CategoryDtoSchema>;

/** Customers see what they need to pick a category; the SLA target is staff business. */
export function toCategoryDto(c: Category, staff: boolean): CategoryDto {
  return {
    id: c.id,
    org_id: c.orgId,
    name: c.name,
    description: c.description,
    ...(staff ? { default_sla_hours: c.defaultSlaHours } : {}),
    is_active: c.active,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export const CreateCategoryRequestSchema = z
  .strictObject({
    name: Name.describe('Unique in the org, compared case-insensitively.'),
    description: Description.default(''),
    default_sla_hours: SlaHours.default(null),
    is_active: z.boolean().default(true),
  })
  .openapi('CreateCategoryRequest');

export const UpdateCategoryRequestSchema = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    default_sla_hours: SlaHours.optional(),
    is_active: z.boolean().optional(),
  })
  .openapi('UpdateCategoryRequest');

export const CategoryListQuerySchema = PageQuerySchema.extend({
  is_active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Only active (`true`) or inactive (`false`) categories.'),
});

export const CategoryPageSchema = pageSchema(CategoryDtoSchema).openapi('CategoryPage');
