import type { Caller } from '../domain/access.ts';
import {
  type AssignmentRule,
  AssignmentRuleNotFoundError,
  type RuleConditions,
} from '../domain/assignment-rule.ts';
import { type AssignmentRuleInput, checkRuleRefs, onlyAdmins } from './create-assignment-rule.ts';
import type { TicketsDeps } from './deps.ts';

/** What a PATCH may change; `conditions` replaces only the conditions it names. */
export type AssignmentRulePatch = Partial<AssignmentRuleInput>;

/**
 * `PATCH /api/assignment-rules/{id}/`: admins only. Agents and categories are checked when the
 * patch sets them; a rule whose agent has left since keeps working (the agent is skipped).
 */
export async function updateAssignmentRule(
  deps: TicketsDeps,
  caller: Caller,
  id: string,
  patch: AssignmentRulePatch,
): Promise<AssignmentRule> {
  onlyAdmins(caller);
  const current = await deps.rules.find(caller.orgId, id);
  if (!current) throw new AssignmentRuleNotFoundError();
  await checkRuleRefs(deps, caller.orgId, {
    strategy: patch.strategy,
    categoryIds: patch.conditions?.categoryIds,
  });
  const conditions: RuleConditions | undefined = patch.conditions && {
    ...current.conditions,
    ...Object.fromEntries(Object.entries(patch.conditions).filter(([, v]) => v !== undefined)),
  };
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.position !== undefined ? { position: patch.position } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(conditions ? { conditions } : {}),
    ...(patch.strategy ? { strategy: patch.strategy } : {}),
  };
  if (Object.keys(set).length === 0) return current;
  const updated = await deps.rules.update(caller.orgId, id, { ...set, updatedAt: deps.clock() });
  if (!updated) throw new AssignmentRuleNotFoundError();
  return updated;
}
