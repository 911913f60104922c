import { CategoryEvents } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import type { Category, CategoryFields } from '../domain/ports.ts';
import { CategoryNotFoundError } from '../domain/tickets.errors.ts';
import { assertManagesCategories, categoryEvent, categorySnapshot } from './create-category.ts';
import type { TicketsDeps } from './deps.ts';

const MAX_ATTEMPTS = 8;

/**
 * Admins edit a category. Deactivating one stops new tickets from taking it; tickets that have it
 * keep it. A change that changes nothing writes nothing and publishes nothing. A concurrent edit
 * makes this one read again and plan again, so `category.updated` always lists what changed
 * against the version it follows.
 */
export async function updateCategory(
  deps: Pick<TicketsDeps, 'categories' | 'events' | 'clock'>,
  caller: Caller,
  id: string,
  input: Partial<CategoryFields>,
  opts: { correlationId?: string | undefined } = {},
): Promise<Category> {
  assertManagesCategories(caller);
  const store = deps.categories;
  for (let attempt = 1; ; attempt++) {
    const read = await store.find(caller.orgId, id);
    if (!read) throw new CategoryNotFoundError();
    const changes = (Object.keys(input) as (keyof CategoryFields)[])
      .filter((field) => input[field] !== undefined && input[field] !== read[field])
      .map((field) => ({ field, old: read[field], new: input[field] }));
    if (changes.length === 0) return read;

    const set = {
      ...Object.fromEntries(changes.map((c) => [c.field, c.new])),
      updatedAt: deps.clock(),
    } as Partial<CategoryFields> & { updatedAt: Date };
    const after: Category = { ...read, ...set, version: read.version + 1 };
    const updated = categoryEvent(
      deps,
      caller,
      CategoryEvents.Updated,
      after,
      { category: categorySnapshot(after), changes },
      opts.correlationId,
    );
    const written = await store.change(read, set, [updated]);
    if (written) {
      deps.events.kick({ categoryId: id });
      return written;
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`category ${id}: too many concurrent writes`);
  }
}
