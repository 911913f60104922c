import type { Caller } from '../domain/access.ts';
import { AssignmentRuleNotFoundError } from '../domain/assignment-rule.ts';
import { onlyAdmins } from './create-assignment-rule.ts';
import type { TicketsDeps } from './deps.ts';

/** `DELETE /api/assignment-rules/{id}/`: admins only; tickets it assigned keep their assignee. */
export async function deleteAssignmentRule(deps: TicketsDeps, caller: Caller, id: string): Promise<void> {
  onlyAdmins(caller);
  if (!(await deps.rules.delete(caller.orgId, id))) throw new AssignmentRuleNotFoundError();
}
