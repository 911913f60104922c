import {
  CategoryCreatedEventSchema,
  CategoryEvents,
  type CategorySnapshot,
  CategoryUpdatedEventSchema,
} from '@helpdesk/contracts';
import type { Broker } from '@helpdesk/messaging';
import { z } from 'zod';
import type { CategoryViews } from '../use-cases/ports.ts';

const CategoryEventSchema = z.discriminatedUnion('type', [
  CategoryCreatedEventSchema,
  CategoryUpdatedEventSchema,
]);

/**
 * Keeps each category's default SLA hours, which give a ticket's resolution target when no
 * policy says otherwise. Each event carries the whole category, so the latest by `sequence` wins.
 */
export function consumeCategoryEvents(
  broker: Pick<Broker, 'consume'>,
  categories: Pick<CategoryViews, 'record'>,
  opts: { queuePrefix: string },
) {
  return broker.consume<{ category: CategorySnapshot }>({
    queue: `${opts.queuePrefix}.categories`,
    bindings: [CategoryEvents.Created, CategoryEvents.Updated],
    schema: CategoryEventSchema,
    handler: async (event, { log }) => {
      const applied = await categories.record(event.data.category, event.sequence);
      log.debug({ categoryId: event.aggregateId, sequence: event.sequence, applied }, 'category recorded');
    },
  });
}
