import { CategoryEvents, type CategorySnapshot, type Envelope } from '@helpdesk/contracts';
import { ForbiddenError } from '@helpdesk/kit';
import type { Caller } from '../domain/access.ts';
import type { Category } from '../domain/ports.ts';
import type { TicketsDeps } from './deps.ts';
import { actorOf } from './mutate-ticket.ts';

/** DESIGN.md section 3: admins manage categories, agents read them. */
export function assertManagesCategories(caller: Caller): void {
  if (caller.role !== 'admin')
    throw new ForbiddenError('CATEGORY_FORBIDDEN', 'Only admins manage categories.');
}

export const categorySnapshot = (c: Category): CategorySnapshot => ({
  id: c.id,
  orgId: c.orgId,
  name: c.name,
  description: c.description,
  defaultSlaHours: c.defaultSlaHours,
  active: c.active,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  version: c.version,
});

/** The event of the change that made `after`: its sequence is the new version. */
export function categoryEvent(
  deps: Pick<TicketsDeps, 'events'>,
  caller: Caller,
  type: (typeof CategoryEvents)[keyof typeof CategoryEvents],
  after: Category,
  data: unknown,
  correlationId: string | undefined,
): Envelope {
  return deps.events.envelope({
    type,
    orgId: after.orgId,
    aggregateId: after.id,
    sequence: after.version,
    actor: actorOf(caller),
    occurredAt: after.updatedAt,
    data,
    ...(correlationId ? { correlationId } : {}),
  });
}

export interface CreateCategoryInput {
  name: string;
  description?: string | undefined;
  defaultSlaHours?: number | null | undefined;
  active?: boolean | undefined;
}

/** Admins add a category to their org; `category.created` carries it to the sla service. */
export async function createCategory(
  deps: Pick<TicketsDeps, 'categories' | 'events' | 'clock' | 'newId'>,
  caller: Caller,
  input: CreateCategoryInput,
  opts: { correlationId?: string | undefined } = {},
): Promise<Category> {
  assertManagesCategories(caller);
  const now = deps.clock();
  const category: Category = {
    id: deps.newId(),
    orgId: caller.orgId,
    name: input.name,
    description: input.description ?? '',
    defaultSlaHours: input.defaultSlaHours ?? null,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const created = categoryEvent(
    deps,
    caller,
    CategoryEvents.Created,
    category,
    { category: categorySnapshot(category) },
    opts.correlationId,
  );
  await deps.categories.create(category, [created]);
  deps.events.kick({ categoryId: category.id });
  return category;
}
