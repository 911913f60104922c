import type { Caller } from '../domain/access.ts';
import {
  type AssignmentRule,
  AssignmentRuleForbiddenError,
  AssignmentRuleNotFoundError,
  canReadRules,
} from '../domain/assignment-rule.ts';
import type { TicketsDeps } from './deps.ts';

export const onlyStaff = (caller: Caller) => {
  if (!canReadRules(caller))
    throw new AssignmentRuleForbiddenError('Only agents and admins see assignment rules.');
};

/** `GET /api/assignment-rules/{id}/`: agents and admins of the rule's org. */
export async function getAssignmentRule(
  deps: TicketsDeps,
  caller: Caller,
  id: string,
): Promise<AssignmentRule> {
  onlyStaff(caller);
  const rule = await deps.rules.find(caller.orgId, id);
  if (!rule) throw new AssignmentRuleNotFoundError();
  return rule;
}
