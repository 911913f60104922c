import type { ResolvedPolicy } from '../domain/policy.ts';
import { calendarIdsOf, firstMatch, toResolvedPolicy } from '../domain/policy-config.ts';
import type { PolicyRequest } from '../workflows/contract.ts';
import type { SlaConfigDeps } from './config-ports.ts';
import type { CategoryViews } from './ports.ts';

/**
 * The `matchPolicy` of the activities: the org's first active policy (by position) whose
 * conditions hold, with its calendars, or null (the default applies). Priority and category come
 * from the workflow (its facts are the latest it acted on); title, tags and the rest from the
 * ticket read model.
 */
export function createPolicyMatcher(
  deps: Pick<SlaConfigDeps, 'policies' | 'calendars' | 'openTickets'> & {
    categories: Pick<CategoryViews, 'defaultSlaHours'>;
  },
): (request: PolicyRequest) => Promise<ResolvedPolicy | null> {
  return async (request) => {
    const policies = await deps.policies.list(request.orgId);
    if (policies.length === 0) return null;
    const stored = await deps.openTickets.fields(request.orgId, request.ticketId);
    const fields = {
      ...stored,
      ...request.fields,
      priority: request.priority,
      category: request.categoryId,
      categoryId: request.categoryId,
    };
    const policy = firstMatch(policies, fields);
    if (!policy) return null;
    const calendars = await deps.calendars.getMany(request.orgId, calendarIdsOf(policy));
    const hours =
      request.categoryId === null
        ? null
        : await deps.categories.defaultSlaHours(request.orgId, request.categoryId);
    return toResolvedPolicy(policy, new Map(calendars.map((c) => [c.id, c.calendar])), hours);
  };
}
