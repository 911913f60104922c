import { z } from 'zod';
import { eventSchema } from '../envelope.ts';
import { FieldChangeSchema } from './ticket.events.ts';

/**
 * Published by the tickets service, which owns categories. The sla service needs each category's
 * `defaultSlaHours` (the target when no policy says otherwise) without calling back.
 */
export const CategoryEvents = {
  Created: 'category.created',
  Updated: 'category.updated',
} as const;

const iso = z.iso.datetime({ offset: true });

/** The category as it is after the change; `version` is also the event's `sequence`. */
export const CategorySnapshotSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  description: z.string(),
  /** The default SLA target in hours; null: none, the org's SLA policies decide. */
  defaultSlaHours: z.number().positive().nullable(),
  /** Inactive categories take no new tickets; existing ones keep them. */
  active: z.boolean(),
  createdAt: iso,
  updatedAt: iso,
  version: z.number().int().positive(),
});
export type CategorySnapshot = z.infer<typeof CategorySnapshotSchema>;

export const CategoryCreatedEventSchema = eventSchema(
  CategoryEvents.Created,
  z.object({ category: CategorySnapshotSchema }),
);
export type CategoryCreatedEvent = z.infer<typeof CategoryCreatedEventSchema>;

export const CategoryUpdatedEventSchema = eventSchema(
  CategoryEvents.Updated,
  z.object({ category: CategorySnapshotSchema, changes: z.array(FieldChangeSchema) }),
);
export type CategoryUpdatedEvent = z.infer<typeof CategoryUpdatedEventSchema>;
