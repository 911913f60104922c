import { conditionFields } from '@helpdesk/contracts';
import {
  type AssignmentRule,
  agentIdsOf,
  type ConditionField,
  conditionRecord,
  isAssignable,
  leastLoadedPick,
  matchRule,
  roundRobinPick,
} from '../domain/assignment-rule.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { AutoAssignment, TicketsDeps } from './deps.ts';

type RuleDeps = Pick<TicketsDeps, 'rules' | 'users' | 'tickets'>;

export type RuleOutcome = 'selected' | 'inactive' | 'no_match' | 'no_eligible_agent' | 'shadowed';

export interface RuleEvaluation {
  rule: AssignmentRule;
  outcome: RuleOutcome;
  matched: boolean;
  /** Why, in words: one line per condition, then one about the agent. */
  reasons: string[];
  /** Who the rule gives the ticket to (for `shadowed`: would give, had no earlier rule won). */
  agentId: string | null;
}

/**
 * The record the rules' conditions read. The requester's role costs a lookup, so it is read only
 * when some rule asks for it.
 */
export async function ruleRecord(
  deps: Pick<TicketsDeps, 'users'>,
  rules: readonly AssignmentRule[],
  ticket: Pick<
    Ticket,
    'orgId' | 'priority' | 'categoryId' | 'title' | 'description' | 'tags' | 'requesterId'
  >,
): Promise<Record<ConditionField, unknown>> {
  const wantsRole = rules.some(
    (r) => r.conditions.condition && conditionFields(r.conditions.condition).includes('requesterRole'),
  );
  const requester = wantsRole ? await deps.users.find(ticket.orgId, ticket.requesterId) : null;
  return conditionRecord(ticket, requester?.role ?? null);
}

/**
 * Who `rule` would assign now, and why. With `advance`, a round-robin rule takes its turn (an atomic
 * increment of the stored cursor); without, it reports who is next and changes nothing.
 */
async function pickFor(
  deps: RuleDeps,
  rule: AssignmentRule,
  advance: boolean,
): Promise<{ agentId: string | null; reason: string }> {
  const listed = agentIdsOf(rule.strategy);
  const known = new Map((await deps.users.findMany(rule.orgId, listed)).map((u) => [u.id, u]));
  const eligible = listed.filter((id) => isAssignable(known.get(id)));
  const skipped = listed.filter((id) => !eligible.includes(id));
  const note = skipped.length ? `; skipped, not active staff: ${skipped.join(', ')}` : '';
  const nobody = (reason: string) => ({ agentId: null, reason });

  if (rule.strategy.type === 'agent') {
    const id = rule.strategy.agentId;
    return eligible.length
      ? { agentId: id, reason: `agent ${id}` }
      : nobody(`agent ${id} is not an active agent or admin`);
  }
  if (eligible.length === 0) return nobody(`no active agent in the group${note}`);
  if (rule.strategy.type === 'round_robin') {
    const turn = advance ? await deps.rules.takeTurn(rule.orgId, rule.id) : rule.turns;
    if (turn === null) return nobody('the rule was deleted meanwhile');
    const id = roundRobinPick(eligible, turn) ?? null;
    const verb = advance ? 'takes' : 'is next for';
    return {
      agentId: id,
      reason: `round robin: ${id} ${verb} turn ${turn + 1} among ${eligible.length} eligible agents${note}`,
    };
  }
  const load = await deps.tickets.activeLoad(rule.orgId, eligible);
  const id = leastLoadedPick(eligible, load) ?? null;
  const loads = eligible.map((a) => `${a}: ${load.get(a) ?? 0}`).join(', ');
  return { agentId: id, reason: `least loaded: ${id} (active tickets ${loads})${note}` };
}

/**
 * Evaluates `rules` in order for `record`. `mode: 'assign'` stops at the first rule that assigns,
 * taking its round-robin turn; `mode: 'explain'` goes through every rule and changes nothing.
 */
export async function evaluateRules(
  deps: RuleDeps,
  rules: readonly AssignmentRule[],
  record: Record<ConditionField, unknown>,
  mode: 'assign' | 'explain',
): Promise<RuleEvaluation[]> {
  const out: RuleEvaluation[] = [];
  let won = false;
  for (const rule of rules) {
    if (!rule.active) {
      out.push({
        rule,
        outcome: 'inactive',
        matched: false,
        reasons: ['the rule is inactive'],
        agentId: null,
      });
      continue;
    }
    const { matched, reasons } = matchRule(rule, record);
    if (!matched) {
      out.push({ rule, outcome: 'no_match', matched, reasons, agentId: null });
      continue;
    }
    const pick = await pickFor(deps, rule, mode === 'assign');
    const outcome = pick.agentId === null ? 'no_eligible_agent' : won ? 'shadowed' : 'selected';
    out.push({ rule, outcome, matched, reasons: [...reasons, pick.reason], agentId: pick.agentId });
    if (pick.agentId !== null) {
      won = true;
      if (mode === 'assign') break;
    }
  }
  return out;
}

/** Runs the org's active rules for a ticket about to be created; the first rule that assigns wins. */
export async function autoAssign(deps: TicketsDeps, draft: Ticket): Promise<AutoAssignment | null> {
  const rules = await deps.rules.inOrder(draft.orgId, { activeOnly: true });
  if (rules.length === 0) return null;
  const record = await ruleRecord(deps, rules, draft);
  const winner = (await evaluateRules(deps, rules, record, 'assign')).find((e) => e.outcome === 'selected');
  return winner?.agentId ? { assigneeId: winner.agentId, ruleId: winner.rule.id } : null;
}
