import type { Caller } from '../domain/access.ts';
import type { AssignmentRule } from '../domain/assignment-rule.ts';
import type { TicketsDeps } from './deps.ts';
import { onlyStaff } from './get-assignment-rule.ts';

/** `GET /api/assignment-rules/`: the org's rules in evaluation order, a page at a time. */
export async function listAssignmentRules(
  deps: TicketsDeps,
  caller: Caller,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ results: AssignmentRule[]; next: string | null }> {
  onlyStaff(caller);
  return deps.rules.list(caller.orgId, {
    limit: page.limit,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
}
