import { z } from 'zod';

/** Who caused a change. `system` covers the sla worker, relays and bootstrap code. */
export const ActorSchema = z.object({
  type: z.enum(['user', 'system']),
  id: z.string().min(1),
  role: z.enum(['user', 'agent', 'admin']).optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

/**
 * The envelope every domain event travels in (DESIGN.md section 5). `sequence` grows by one
 * per change of the aggregate, so a consumer can drop stale or duplicate deliveries.
 */
export const EnvelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  orgId: z.string().min(1),
  aggregateId: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  data: z.unknown(),
});
export type Envelope<T = unknown> = Omit<z.infer<typeof EnvelopeSchema>, 'data'> & { data: T };

/** Builds the schema of one event type's envelope, with its `data` checked. */
export function eventSchema<TType extends string, TData extends z.ZodType>(
  type: TType,
  data: TData,
  version = 1,
) {
  return EnvelopeSchema.extend({
    type: z.literal(type),
    version: z.literal(version),
    data,
  });
}
