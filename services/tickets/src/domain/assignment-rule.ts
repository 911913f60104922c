import {
  type Condition,
  evaluateCondition,
  explainCondition,
  isStaff,
  type Priority,
  type Role,
} from '@helpdesk/contracts';
import { ConflictError, ForbiddenError, NotFoundError } from '@helpdesk/kit';
import type { Caller } from './access.ts';
import type { KnownUser } from './ports.ts';
import type { Ticket } from './ticket.ts';

/**
 * Auto-assignment rules, evaluated in order (`position`, then creation) on ticket creation: the
 * first active rule whose conditions all hold and whose strategy finds an eligible agent (an active
 * agent or admin of the org) assigns the ticket. A rule that finds nobody passes to the next one.
 */

export type AssignmentStrategy =
  | { type: 'agent'; agentId: string }
  | { type: 'round_robin'; agentIds: string[] }
  | { type: 'least_loaded'; agentIds: string[] };

/** Each condition that is set must hold; `null` means "any". */
export interface RuleConditions {
  priorities: Priority[] | null;
  categoryIds: string[] | null;
  condition: Condition | null;
}

export interface AssignmentRule {
  id: string;
  orgId: string;
  name: string;
  position: number;
  active: boolean;
  conditions: RuleConditions;
  strategy: AssignmentStrategy;
  /** Round-robin turns taken so far; turn `n` goes to the `n % k`-th of the k eligible agents. */
  turns: number;
  createdAt: Date;
  updatedAt: Date;
}

export type RuleChanges = Partial<
  Pick<AssignmentRule, 'name' | 'position' | 'active' | 'conditions' | 'strategy'>
>;

export interface AssignmentRuleRepository {
  insert(rule: AssignmentRule): Promise<void>;
  find(orgId: string, id: string): Promise<AssignmentRule | null>;
  /** A page in evaluation order. */
  list(
    orgId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ results: AssignmentRule[]; next: string | null }>;
  /** Every rule of the org (at most MAX_RULES_PER_ORG) in evaluation order. */
  inOrder(orgId: string, opts: { activeOnly: boolean }): Promise<AssignmentRule[]>;
  count(orgId: string): Promise<number>;
  /** The highest position in use, or null when the org has no rule. */
  lastPosition(orgId: string): Promise<number | null>;
  update(orgId: string, id: string, set: RuleChanges & { updatedAt: Date }): Promise<AssignmentRule | null>;
  delete(orgId: string, id: string): Promise<boolean>;
  /**
   * Takes the rule's next round-robin turn with one atomic increment, so concurrent creates on
   * any number of replicas get distinct turns; null when the rule no longer exists.
   */
  takeTurn(orgId: string, id: string): Promise<number | null>;
}

/** Bounds the work of every ticket creation. */
export const MAX_RULES_PER_ORG = 100;

/**
 * What a rule's `condition` reads of a ticket. `category` and `categoryId` are both the category
 * id (or null); `requester` is the requester's user id; `requesterRole` is `user`, `agent`,
 * `admin`, or null when the requester is unknown to the service; `tags` are lower case.
 */
export const CONDITION_FIELDS = [
  'priority',
  'category',
  'categoryId',
  'title',
  'description',
  'tags',
  'requester',
  'requesterRole',
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

type RuleTicket = Pick<Ticket, 'priority' | 'categoryId' | 'title' | 'description' | 'tags' | 'requesterId'>;

export const conditionRecord = (
  t: RuleTicket,
  requesterRole: Role | null,
): Record<ConditionField, unknown> => ({
  priority: t.priority,
  category: t.categoryId,
  categoryId: t.categoryId,
  title: t.title,
  description: t.description,
  tags: t.tags,
  requester: t.requesterId,
  requesterRole,
});

export const agentIdsOf = (s: AssignmentStrategy): string[] =>
  s.type === 'agent' ? [s.agentId] : s.agentIds;

export const isAssignable = (u: KnownUser | undefined): boolean => !!u?.active && isStaff(u.role);

const list = (xs: readonly unknown[]) => `[${xs.join(', ')}]`;

/** Whether all of the rule's conditions hold for the ticket, with one reason per condition set. */
export function matchRule(
  rule: Pick<AssignmentRule, 'conditions'>,
  record: Record<ConditionField, unknown>,
): { matched: boolean; reasons: string[] } {
  const { priorities, categoryIds, condition } = rule.conditions;
  const reasons: string[] = [];
  let matched = true;
  const check = (ok: boolean, yes: string, no: string) => {
    matched &&= ok;
    reasons.push(ok ? yes : no);
  };
  if (priorities) {
    const p = String(record.priority);
    check(
      priorities.includes(p as Priority),
      `priority ${p} in ${list(priorities)}`,
      `priority ${p} not in ${list(priorities)}`,
    );
  }
  if (categoryIds) {
    const c = record.category === null ? 'none' : String(record.category);
    check(
      categoryIds.includes(c),
      `category ${c} in ${list(categoryIds)}`,
      `category ${c} not in ${list(categoryIds)}`,
    );
  }
  if (condition) {
    const text = explainCondition(condition);
    const shown = text.startsWith('(') ? text : `(${text})`;
    check(evaluateCondition(condition, record), `condition ${shown} true`, `condition ${shown} false`);
  }
  if (reasons.length === 0) reasons.push('no conditions: every ticket matches');
  return { matched, reasons };
}

/** The agent of round-robin turn `turn` among the eligible ones, in the rule's order. */
export const roundRobinPick = (eligible: readonly string[], turn: number): string | undefined =>
  eligible[turn % eligible.length];

/** The eligible agent with the fewest active tickets; a tie goes to the one listed first. */
export function leastLoadedPick(
  eligible: readonly string[],
  load: ReadonlyMap<string, number>,
): string | undefined {
  let best: string | undefined;
  for (const id of eligible) {
    if (best === undefined || (load.get(id) ?? 0) < (load.get(best) ?? 0)) best = id;
  }
  return best;
}

export const canManageRules = (caller: Caller): boolean => caller.role === 'admin';
export const canReadRules = (caller: Caller): boolean => isStaff(caller.role);

export class AssignmentRuleNotFoundError extends NotFoundError {
  constructor() {
    super('ASSIGNMENT_RULE_NOT_FOUND', 'No such assignment rule.');
  }
}

export class AssignmentRuleForbiddenError extends ForbiddenError {
  constructor(message: string) {
    super('ASSIGNMENT_RULE_FORBIDDEN', message);
  }
}

export class TooManyAssignmentRulesError extends ConflictError {
  constructor() {
    super(
      'ASSIGNMENT_RULES_LIMIT',
      `An org has at most ${MAX_RULES_PER_ORG} assignment rules; delete one first.`,
    );
  }
}
