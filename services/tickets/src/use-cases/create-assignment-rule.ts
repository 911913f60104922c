import { type FieldError, ValidationError } from '@helpdesk/kit';
import type { Caller } from '../domain/access.ts';
import {
  type AssignmentRule,
  AssignmentRuleForbiddenError,
  type AssignmentStrategy,
  canManageRules,
  isAssignable,
  MAX_RULES_PER_ORG,
  type RuleConditions,
  TooManyAssignmentRulesError,
} from '../domain/assignment-rule.ts';
import type { TicketsDeps } from './deps.ts';

export interface AssignmentRuleInput {
  name: string;
  /** Default: after the last rule. */
  position?: number | undefined;
  active?: boolean | undefined;
  conditions?: Partial<RuleConditions> | undefined;
  strategy: AssignmentStrategy;
}

export const onlyAdmins = (caller: Caller) => {
  if (!canManageRules(caller)) throw new AssignmentRuleForbiddenError('Only admins manage assignment rules.');
};

/**
 * Checks what a rule refers to as of now: its agents must be active agents or admins of the org,
 * its categories categories of the org. Errors name the request's fields.
 */
export async function checkRuleRefs(
  deps: Pick<TicketsDeps, 'users' | 'categories'>,
  orgId: string,
  refs: { strategy?: AssignmentStrategy | undefined; categoryIds?: string[] | null | undefined },
): Promise<void> {
  const errors: FieldError[] = [];
  const s = refs.strategy;
  if (s) {
    const ids = s.type === 'agent' ? [s.agentId] : s.agentIds;
    const known = new Map((await deps.users.findMany(orgId, ids)).map((u) => [u.id, u]));
    ids.forEach((id, i) => {
      if (isAssignable(known.get(id))) return;
      const path = s.type === 'agent' ? 'strategy.agent_id' : `strategy.agent_ids.${i}`;
      errors.push({ path, message: `${id} is not an active agent or admin of your org` });
    });
  }
  for (const [i, id] of (refs.categoryIds ?? []).entries()) {
    if (!(await deps.categories.find(orgId, id))) {
      errors.push({ path: `conditions.category.${i}`, message: `${id} is not a category of your org` });
    }
  }
  if (errors.length) throw new ValidationError(errors, `${errors[0]?.path}: ${errors[0]?.message}`);
}

/** `POST /api/assignment-rules/`: admins only. */
export async function createAssignmentRule(
  deps: TicketsDeps,
  caller: Caller,
  input: AssignmentRuleInput,
): Promise<AssignmentRule> {
  onlyAdmins(caller);
  const conditions: RuleConditions = {
    priorities: input.conditions?.priorities ?? null,
    categoryIds: input.conditions?.categoryIds ?? null,
    condition: input.conditions?.condition ?? null,
  };
  await checkRuleRefs(deps, caller.orgId, { strategy: input.strategy, categoryIds: conditions.categoryIds });
  if ((await deps.rules.count(caller.orgId)) >= MAX_RULES_PER_ORG) throw new TooManyAssignmentRulesError();
  const last = input.position === undefined ? await deps.rules.lastPosition(caller.orgId) : null;
  const now = deps.clock();
  const rule: AssignmentRule = {
    id: deps.newId(),
    orgId: caller.orgId,
    name: input.name,
    position: input.position ?? (last === null ? 1 : last + 1),
    active: input.active ?? true,
    conditions,
    strategy: input.strategy,
    turns: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.rules.insert(rule);
  return rule;
}
