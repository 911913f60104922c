import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyFacts,
  fireDue,
  isDone,
  manualEscalation,
  nextWakeUp,
  retarget,
  type SlaEffect,
  type SlaState,
  type SlaView,
  startSla,
  view,
} from '../domain/clocks.ts';
import {
  manualEscalationSignal,
  type PolicyRequest,
  policyChangedSignal,
  SLA_LEVEL,
  SLA_NEXT_DUE,
  SLA_ORG_ID,
  type SlaActivities,
  type SlaWorkflowInput,
  slaViewQuery,
  ticketChangedSignal,
} from './contract.ts';

/*
 * One workflow per ticket drives the pure clock engine (domain/clocks.ts): it sleeps on a durable
 * timer until the engine's next wake-up, hands out what is due, and re-arms whenever a signal
 * changes the picture.
 *
 * Only the main loop awaits. Signal handlers change the state synchronously and leave the IO
 * (resolving a policy, recording effects) to the loop, so a signal never interleaves with a
 * half-done step, effects go out one batch at a time in the order they fell due, and a query
 * always sees every signal received. Each step of the loop is its own function so that a later
 * change can be wrapped in `patched()` where it applies.
 *
 * The run ends only when the ticket is closed or cancelled: a resolved ticket may reopen, and its
 * next cycle must continue this state (a new run would hand out the same effect keys again).
 */

const { resolvePolicy, recordEffects } = proxyActivities<SlaActivities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a late escalation beats a lost one, and the effects' keys make retries harmless.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DEFAULT_MAX_HISTORY_EVENTS = 500;

export async function ticketSlaWorkflow(input: SlaWorkflowInput): Promise<SlaView> {
  const { workflowId } = workflowInfo();
  setHandler(slaViewQuery, () => {
    throw new Error('SLA_NOT_STARTED: the ticket’s SLA policy is still being resolved');
  });

  let state: SlaState =
    input.carried ??
    startSla({
      workflowId,
      ticketId: input.ticketId,
      orgId: input.orgId,
      policy: await resolvePolicy(policyRequest(input.orgId, input.ticketId, input.facts)),
      facts: input.facts,
    });
  const outbox: SlaEffect[] = [];
  /** The latest change that needs the policy resolved again (a new object per change). */
  let policyAsk: { at: string } | null = null;
  let changed = false;

  setHandler(slaViewQuery, (at) => view(state, at ?? nowIso()));
  setHandler(ticketChangedSignal, (facts) =>
    guarded('ticketChanged', () => {
      const before = state;
      state = applyFacts(before, facts);
      if (state === before) return; // a duplicate or an older sequence
      changed = true;
      if (state.priority !== before.priority || state.categoryId !== before.categoryId)
        policyAsk = { at: facts.at };
    }),
  );
  setHandler(manualEscalationSignal, (request) =>
    guarded('escalateManually', () => {
      // Never later than workflow time, so nothing due after "now" comes out early with it.
      const r = manualEscalation(state, { ...request, at: notAfterNow(request.at) });
      state = r.state;
      outbox.push(...r.effects);
      changed = true;
    }),
  );
  setHandler(policyChangedSignal, ({ at }) =>
    guarded('policyChanged', () => {
      policyAsk = { at: notAfterNow(at) };
      changed = true;
    }),
  );

  async function refreshPolicy(): Promise<void> {
    while (policyAsk !== null && !isDone(state)) {
      const ask = policyAsk;
      const policy = await resolvePolicy(policyRequest(state.orgId, state.ticketId, state));
      // Asked again while resolving (the priority changed again): resolve for the latest facts.
      if (policyAsk !== ask) continue;
      policyAsk = null;
      state = retarget(state, policy, ask.at);
    }
    policyAsk = null;
  }

  /** Hands out everything due by now; true when it recorded something (signals may have come meanwhile). */
  async function recordDue(): Promise<boolean> {
    const due = fireDue(state, nowIso());
    state = due.state;
    outbox.push(...due.effects);
    if (outbox.length === 0) return false;
    const effects = outbox.splice(0);
    await recordEffects({ orgId: state.orgId, ticketId: state.ticketId, workflowId, effects });
    return true;
  }

  async function waitForChangeOrWakeUp(): Promise<void> {
    changed = false;
    const wake = nextWakeUp(state);
    if (wake === null) await condition(() => changed);
    // At least 1 ms: the timer fires at or after the wake-up, never before it.
    else await condition(() => changed, Math.max(1, Date.parse(wake) - Date.now()));
  }

  /** What the search attributes say in this run; null before its first upsert. */
  let indexed: { nextDue: string | null; level: number } | null = null;

  /** Upserts the search attributes when the next breach or the level changed. */
  function index(): void {
    // Behind a patch: histories recorded before it have no upsert commands.
    if (input.searchAttributes === false || !patched('search-attributes')) return;
    const nextDue = nextBreach(view(state, nowIso()));
    if (indexed?.nextDue === nextDue && indexed.level === state.level) return;
    upsertSearchAttributes([
      // Runs started before the start option set it get it here.
      ...(indexed === null ? [{ key: SLA_ORG_ID, value: state.orgId }] : []),
      { key: SLA_NEXT_DUE, value: nextDue === null ? null : new Date(nextDue) },
      { key: SLA_LEVEL, value: state.level },
    ]);
    indexed = { nextDue, level: state.level };
  }

  for (;;) {
    await refreshPolicy();
    if (await recordDue()) continue;
    if (isDone(state)) break;
    if (historyIsLong(input.maxHistoryEvents)) {
      await condition(allHandlersFinished);
      // The outbox and a pending policy ask live outside the state: carry only when both are empty.
      if (outbox.length === 0 && policyAsk === null)
        return continueAsNew<typeof ticketSlaWorkflow>({ ...input, carried: state });
      continue;
    }
    index();
    await waitForChangeOrWakeUp();
  }
  index();
  await condition(allHandlersFinished);
  return view(state, nowIso());
}

/** The earliest due time of a clock still running toward its breach; null when there is none. */
function nextBreach(v: SlaView): string | null {
  const due = v.clocks
    .filter((c) => c.state === 'running' && c.dueAt !== null)
    .map((c) => c.dueAt as string)
    .sort();
  return due[0] ?? null;
}

function policyRequest(
  orgId: string,
  ticketId: string,
  ticket: Pick<SlaState, 'priority' | 'categoryId'>,
): PolicyRequest {
  const { priority, categoryId } = ticket;
  return { orgId, ticketId, priority, categoryId, fields: { priority, categoryId } };
}

/**
 * The engine refuses a malformed instant with a RangeError before it changes anything; such a
 * signal is dropped (and logged) rather than failing every workflow task from then on.
 */
function guarded(signal: string, apply: () => void): void {
  try {
    apply();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    log.warn('SLA signal ignored: invalid input', { signal, error: error.message });
  }
}

function historyIsLong(maxEvents = DEFAULT_MAX_HISTORY_EVENTS): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= maxEvents;
}

const nowIso = (): string => new Date().toISOString();

function notAfterNow(at: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO instant: ${at}`);
  return new Date(Math.min(t, Date.now())).toISOString();
}
