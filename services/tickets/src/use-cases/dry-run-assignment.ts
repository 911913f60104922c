import type { Priority } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import type { ConditionField } from '../domain/assignment-rule.ts';
import { normalizeTags } from '../domain/ticket.ts';
import { evaluateRules, type RuleEvaluation, ruleRecord } from './auto-assign.ts';
import type { TicketsDeps } from './deps.ts';
import { onlyStaff } from './get-assignment-rule.ts';
import { checkCategory, resolveRequester } from './ticket-checks.ts';

export interface DryRunInput {
  title: string;
  description?: string | undefined;
  priority?: Priority | undefined;
  categoryId?: string | null | undefined;
  tags?: string[] | undefined;
  /** The requester; default: the caller. */
  requesterId?: string | undefined;
}

export interface DryRunResult {
  /** The rule and agent the ticket would get; null when no rule assigns it (it would stay open). */
  ruleId: string | null;
  agentId: string | null;
  summary: string;
  /** The values the conditions read. */
  fields: Record<ConditionField, unknown>;
  /** Every rule in evaluation order, with what it decided and why. */
  rules: RuleEvaluation[];
}

/**
 * `POST /api/assignment-rules/dry-run/`: which rule and agent a ticket like this would get, and why.
 * It checks the category and requester as creating the ticket would, and changes nothing (a
 * round-robin rule reports who is next without taking the turn).
 */
export async function dryRunAssignment(
  deps: TicketsDeps,
  caller: Caller,
  input: DryRunInput,
): Promise<DryRunResult> {
  onlyStaff(caller);
  const categoryId = input.categoryId ?? null;
  await checkCategory(deps, caller.orgId, categoryId);
  const requesterId = await resolveRequester(deps, caller, input.requesterId);
  const rules = await deps.rules.inOrder(caller.orgId, { activeOnly: false });
  const fields = await ruleRecord(deps, rules, {
    orgId: caller.orgId,
    title: input.title,
    description: input.description ?? '',
    priority: input.priority ?? 'medium',
    categoryId,
    tags: normalizeTags(input.tags ?? []),
    requesterId,
  });
  const evaluations = await evaluateRules(deps, rules, fields, 'explain');
  const winner = evaluations.find((e) => e.outcome === 'selected');
  const summary = winner
    ? `rule "${winner.rule.name}" would assign the ticket to ${winner.agentId}`
    : rules.length
      ? 'no rule would assign the ticket: it would stay open and unassigned'
      : 'your org has no assignment rules: the ticket would stay open and unassigned';
  return {
    ruleId: winner?.rule.id ?? null,
    agentId: winner?.agentId ?? null,
    summary,
    fields,
    rules: evaluations,
  };
}
