import type { EscalationAction, Priority, TicketStatus } from '@helpdesk/contracts';
import { addBusinessMs, businessMsBetween, type Calendar } from './business-time.ts';
import {
  CLOCKS,
  type ClockName,
  type EscalationStep,
  type ResolvedPolicy,
  stepThresholdMs,
  targetFor,
} from './policy.ts';

/*
 * The SLA clock engine that the ticket's workflow drives. Pure and deterministic: time comes
 * only from the arguments, and state goes in and out as plain JSON data (instants as epoch ms),
 * so it survives continue-as-new and a query unchanged.
 *
 * Each clock counts business time while it runs, keeps the time it stood paused apart, and
 * ends a cycle when fulfilled (first public staff reply, staff activity, resolved) or stopped
 * (closed, cancelled). Warnings, the breach and the escalation steps are thresholds on a
 * clock's elapsed time; each fires once per cycle, at the instant the elapsed time reaches it.
 *
 * The engine's timeline never runs backwards: a fact older than something already seen takes
 * effect at that later instant, so the state never contradicts effects already emitted.
 * Changes due up to a fact's instant are settled before the fact applies (a late signal does not
 * cancel a breach that happened before it); they, and fulfilments, wait in `owed` until the next
 * `fireDue`, which `nextWakeUp` then says is due.
 */

/** What the workflow learns from one ticket event (the ticket after the change). */
export interface TicketFacts {
  sequence: number;
  type: string;
  /** ISO instant of the change. */
  at: string;
  status: TicketStatus;
  priority: Priority;
  categoryId: string | null;
  /** Staff changed the status, assigned, replied publicly or wrote an internal note. */
  staffActivity: boolean;
  firstPublicStaffReply: boolean;
  reopened: boolean;
  /** The snapshot's first response: covers a first reply whose own event arrived out of order. */
  firstResponseAt?: string | null;
  /** The snapshot's creation instant: clocks start there even when a later event starts the workflow. */
  createdAt?: string;
  /**
   * The snapshot's escalation level. Read only by `startSla`: a workflow started late (a ticket
   * older than the sla service, a run restarted after a failure) continues the ladder from it
   * instead of firing every level again.
   */
  escalationLevel?: number;
}

export type ClockPhase = 'running' | 'paused' | 'ended';

export interface ClockState {
  /** 1 for the first cycle; a new cycle per staff activity (periodic_update) or reopen (resolution). */
  cycle: number;
  phase: ClockPhase;
  end: 'fulfilled' | 'stopped' | null;
  /** For the ticket's priority; null: off (it still counts, in case a retarget turns it on). */
  targetMs: number | null;
  startedAt: number;
  /** Start of the current running or paused stretch; the two totals below end here. */
  segmentStart: number;
  endedAt: number | null;
  elapsedMs: number;
  pausedMs: number;
  breachedAt: number | null;
  /** Thresholds of this cycle already fired (`warning:75`, `breached`, `level:2`, `up:0:1`). */
  fired: string[];
}

export interface SlaState {
  v: 1;
  workflowId: string;
  ticketId: string;
  orgId: string;
  policy: ResolvedPolicy;
  status: TicketStatus;
  priority: Priority;
  categoryId: string | null;
  lastSequence: number;
  /** The latest instant the engine has seen (epoch ms). */
  now: number;
  /** The highest escalation level reached, ticket-wide. */
  level: number;
  /** Resolved, closed or cancelled: no clock runs (a reopen of a resolved ticket starts them again). */
  finished: boolean;
  clocks: Record<ClockName, ClockState>;
  /** Effects decided but not yet handed out by `fireDue`. */
  owed: SlaEffect[];
  /** Recent manual escalation keys, so a repeated request escalates once. */
  manualKeys: string[];
}

interface EffectBase {
  clock: ClockName;
  cycle: number;
  /** ISO instant at which it became due. */
  at: string;
  /** Idempotency key: `<workflowId>:<clock>:<cycle>:<what>`. */
  key: string;
}

export type SlaEffect =
  | (EffectBase & { kind: 'warning'; percent: number; targetMs: number; dueAt: string })
  | (EffectBase & { kind: 'breached'; targetMs: number })
  | (EffectBase & { kind: 'fulfilled'; met: boolean; targetMs: number; elapsedMs: number; pausedMs: number })
  | {
      kind: 'escalated';
      /** `manual` for an escalation by an admin (its cycle is 0). */
      clock: ClockName | 'manual';
      cycle: number;
      level: number;
      actions: EscalationAction[];
      reason: string;
      /** Null for an automatic escalation. */
      actorId: string | null;
      at: string;
      /** `<workflowId>:<clock>:<cycle>:<level>` (manual: `<workflowId>:manual:<request key>:<level>`). */
      key: string;
    };

const STOPPING: readonly TicketStatus[] = ['resolved', 'closed', 'cancelled'];
const FINAL: readonly TicketStatus[] = ['closed', 'cancelled'];
const MANUAL_KEYS_KEPT = 50;

export function startSla(init: {
  workflowId: string;
  ticketId: string;
  orgId: string;
  policy: ResolvedPolicy;
  facts: TicketFacts;
}): SlaState {
  const { facts, policy } = init;
  const created = toMs(facts.createdAt ?? facts.at);
  const s: SlaState = {
    v: 1,
    workflowId: init.workflowId,
    ticketId: init.ticketId,
    orgId: init.orgId,
    policy,
    status: 'open',
    priority: facts.priority,
    categoryId: facts.categoryId,
    lastSequence: facts.sequence - 1,
    now: created,
    level: facts.escalationLevel ?? 0,
    finished: false,
    clocks: {
      first_response: newCycle(policy, 'first_response', facts.priority, created, 1),
      periodic_update: newCycle(policy, 'periodic_update', facts.priority, created, 1),
      resolution: newCycle(policy, 'resolution', facts.priority, created, 1),
    },
    owed: [],
    manualKeys: [],
  };
  // The creation itself is no activity: the clocks start with it.
  const isCreation = facts.type === 'ticket.created' || toMs(facts.at) <= created;
  const first = isCreation
    ? { ...facts, staffActivity: false, firstPublicStaffReply: false, reopened: false }
    : facts;
  return applyFacts(s, first);
}

/**
 * The state after one ticket event. A sequence already seen (duplicate or out of order) changes
 * nothing, except that staff activity still restarts the period (see `applyStaleActivity`).
 */
export function applyFacts(state: SlaState, facts: TicketFacts): SlaState {
  if (facts.sequence <= state.lastSequence) return applyStaleActivity(state, facts);
  const s = clone(state);
  const t = Math.max(toMs(facts.at), s.now);
  // Before settling up to `t`: a first reply whose own event never came ends the clock at its real instant.
  if (facts.firstResponseAt && !facts.firstPublicStaffReply && s.clocks.first_response.phase !== 'ended')
    endFirstResponseAt(s, toMs(facts.firstResponseAt), t);
  settle(s, t);
  s.lastSequence = facts.sequence;
  s.now = t;
  if (FINAL.includes(s.status)) return s;

  const stopping = STOPPING.includes(facts.status);
  const { first_response: fr, periodic_update: pu, resolution: res } = s.clocks;
  if ((facts.firstPublicStaffReply || facts.firstResponseAt) && fr.phase !== 'ended')
    endCycle(s, 'first_response', t, 'fulfilled');
  if (facts.staffActivity && pu.phase !== 'ended') endCycle(s, 'periodic_update', t, 'fulfilled');
  // A reopen whose resolve we never saw (it came out of order): the resolve happened all the same.
  if ((facts.status === 'resolved' || (facts.reopened && !stopping)) && res.phase !== 'ended')
    endCycle(s, 'resolution', t, 'fulfilled');
  if (stopping)
    for (const name of CLOCKS) if (s.clocks[name].phase !== 'ended') endCycle(s, name, t, 'stopped');

  if (facts.priority !== s.priority) {
    for (const name of CLOCKS) {
      const c = s.clocks[name];
      if (c.phase === 'ended') continue;
      closeSegment(c, t, s.policy.clocks[name].calendar);
      c.targetMs = targetFor(s.policy, name, facts.priority);
    }
  }
  s.status = facts.status;
  s.priority = facts.priority;
  s.categoryId = facts.categoryId;
  s.finished = stopping;
  if (!stopping) {
    // A new period after staff activity or a reopen, a new resolution cycle after a reopen.
    if (pu.phase === 'ended')
      s.clocks.periodic_update = newCycle(s.policy, 'periodic_update', s.priority, t, pu.cycle + 1);
    if (res.phase === 'ended')
      s.clocks.resolution = newCycle(s.policy, 'resolution', s.priority, t, res.cycle + 1);
  }
  setPhases(s, t);
  return s;
}

/**
 * A stale fact (retries requeue, DLQ replays) that is staff activity: the newer snapshot already
 * holds the status and priority, but only this event says staff acted, so the period still
 * restarts at the fact's own instant. A period that already started at or after it (a duplicate)
 * stays. Effects already decided stay decided (the timeline never runs backwards): the old cycle
 * ends at the fact's instant or at its last recorded change if later, and the new cycle counts the
 * stretch up to there in the clock's current phase (the engine kept no finer history).
 */
function applyStaleActivity(state: SlaState, facts: TicketFacts): SlaState {
  const ft = toMs(facts.at);
  const pu = state.clocks.periodic_update;
  if (!facts.staffActivity || FINAL.includes(state.status) || pu.phase === 'ended' || ft <= pu.startedAt)
    return state;
  const s = clone(state);
  const t = Math.max(ft, s.now);
  settle(s, t);
  s.now = t;
  const old = s.clocks.periodic_update;
  const calendar = s.policy.clocks.periodic_update.calendar;
  const end = Math.max(ft, old.segmentStart);
  const phase = old.phase;
  endCycle(s, 'periodic_update', end, 'fulfilled');
  const next = newCycle(s.policy, 'periodic_update', s.priority, ft, old.cycle + 1);
  next.phase = phase;
  closeSegment(next, end, calendar);
  s.clocks.periodic_update = next;
  settle(s, s.now);
  return s;
}

/**
 * Ends first response at the snapshot's `firstResponseAt` (the reply's own event was lost or is
 * late), and decides met or breached by that instant. It cannot end before the clock's last
 * recorded change, and a breach already decided stands (its effect may be out): the fulfilment
 * then says not met, although the reply came in time.
 */
function endFirstResponseAt(s: SlaState, replyAt: number, t: number): void {
  const fr = s.clocks.first_response;
  const end = Math.min(Math.max(replyAt, fr.segmentStart), t);
  settle(s, end);
  endCycle(s, 'first_response', end, 'fulfilled');
}

/** Applies another policy from `at`: running clocks keep their elapsed and paused time, ended ones stay as they are. */
export function retarget(state: SlaState, policy: ResolvedPolicy, at: string): SlaState {
  const s = clone(state);
  const t = Math.max(toMs(at), s.now);
  settle(s, t);
  s.now = t;
  for (const name of CLOCKS) {
    const c = s.clocks[name];
    if (c.phase === 'ended') continue;
    closeSegment(c, t, s.policy.clocks[name].calendar);
    c.targetMs = targetFor(policy, name, s.priority);
  }
  s.policy = clone(policy);
  setPhases(s, t);
  return s;
}

/** Nothing can happen any more: the ticket is closed or cancelled and every effect was handed out. */
export const isDone = (state: SlaState): boolean => FINAL.includes(state.status) && state.owed.length === 0;

/** The earliest instant (ISO) at which `fireDue` has something to hand out; null when nothing is pending. */
export function nextWakeUp(state: SlaState): string | null {
  const next = upcoming(state)[0];
  return next === undefined ? null : iso(next.at);
}

/** Everything due at or before `now`, in time order, each exactly once. */
export function fireDue(state: SlaState, now: string): { state: SlaState; effects: SlaEffect[] } {
  const s = clone(state);
  const t = toMs(now);
  settle(s, t);
  s.now = Math.max(s.now, t);
  const effects = s.owed.filter((e) => toMs(e.at) <= t).sort((a, b) => toMs(a.at) - toMs(b.at));
  s.owed = s.owed.filter((e) => toMs(e.at) > t);
  return { state: s, effects };
}

/**
 * An admin's escalation: the ticket goes one level up. `key` identifies the request, so a repeated
 * one escalates once. Anything due before `at` comes out first. A closed or cancelled ticket stays as it is.
 */
export function manualEscalation(
  state: SlaState,
  req: { at: string; reason: string; actorId: string; key: string },
): { state: SlaState; effects: SlaEffect[] } {
  const { state: s, effects } = fireDue(state, req.at);
  if (FINAL.includes(s.status) || s.manualKeys.includes(req.key)) return { state: s, effects };
  s.level += 1;
  s.manualKeys = [...s.manualKeys, req.key].slice(-MANUAL_KEYS_KEPT);
  const escalation: SlaEffect = {
    kind: 'escalated',
    clock: 'manual',
    cycle: 0,
    level: s.level,
    actions: [],
    reason: req.reason,
    actorId: req.actorId,
    at: iso(Math.max(toMs(req.at), s.now)),
    key: `${s.workflowId}:manual:${req.key}:${s.level}`,
  };
  return { state: s, effects: [...effects, escalation] };
}

export type ClockViewState = 'running' | 'paused' | 'met' | 'breached' | 'off' | 'stopped';

export interface ClockView {
  clock: ClockName;
  cycle: number;
  state: ClockViewState;
  paused: boolean;
  targetMs: number | null;
  /** When it breaches (or breached) at this pace; null while paused, when ended unbreached, or off. */
  dueAt: string | null;
  /** Target minus elapsed (negative when overdue); null when off. */
  remainingMs: number | null;
  elapsedMs: number;
  pausedMs: number;
  startedAt: string;
  endedAt: string | null;
  breachedAt: string | null;
}

export interface SlaNextEvent {
  kind: SlaEffect['kind'];
  clock: ClockName | 'manual';
  at: string;
  level: number | null;
  percent: number | null;
}

export interface SlaView {
  ticketId: string;
  orgId: string;
  status: TicketStatus;
  priority: Priority;
  policy: { id: string | null; name: string; version: number | null };
  escalationLevel: number;
  finished: boolean;
  clocks: ClockView[];
  nextEvent: SlaNextEvent | null;
}

/** The live picture at `now`, for `GET /api/tickets/{id}/sla/` (read only: nothing fires). */
export function view(state: SlaState, now: string): SlaView {
  const t = toMs(now);
  const next = upcoming(state)[0];
  return {
    ticketId: state.ticketId,
    orgId: state.orgId,
    status: state.status,
    priority: state.priority,
    policy: { id: state.policy.policyId, name: state.policy.name, version: state.policy.version },
    escalationLevel: state.level,
    finished: state.finished,
    clocks: CLOCKS.map((name) => clockView(state, name, t)),
    nextEvent: next
      ? { kind: next.kind, clock: next.clock, at: iso(next.at), level: next.level, percent: next.percent }
      : null,
  };
}

function clockView(s: SlaState, name: ClockName, t: number): ClockView {
  const c = s.clocks[name];
  const calendar = s.policy.clocks[name].calendar;
  const stretch =
    c.phase === 'ended'
      ? 0
      : businessMsBetween(new Date(c.segmentStart), new Date(Math.max(t, c.segmentStart)), calendar);
  const elapsedMs = c.elapsedMs + (c.phase === 'running' ? stretch : 0);
  const pausedMs = c.pausedMs + (c.phase === 'paused' ? stretch : 0);
  const target = c.targetMs;
  const breached = c.breachedAt !== null || (target !== null && c.phase !== 'ended' && elapsedMs >= target);
  let state: ClockViewState;
  if (target === null) state = 'off';
  else if (c.end === 'stopped') state = 'stopped';
  else if (breached) state = 'breached';
  else if (c.end === 'fulfilled') state = 'met';
  else state = c.phase === 'paused' ? 'paused' : 'running';
  let dueAt: number | null = c.breachedAt;
  if (dueAt === null && target !== null && c.phase !== 'ended') dueAt = instantOf(c, target, calendar);
  return {
    clock: name,
    cycle: c.cycle,
    state,
    paused: c.phase === 'paused',
    targetMs: target,
    dueAt: dueAt === null ? null : iso(dueAt),
    remainingMs: target === null ? null : target - elapsedMs,
    elapsedMs,
    pausedMs,
    startedAt: iso(c.startedAt),
    endedAt: c.endedAt === null ? null : iso(c.endedAt),
    breachedAt: c.breachedAt === null ? null : iso(c.breachedAt),
  };
}

interface Threshold {
  clock: ClockName;
  tag: string;
  elapsedMs: number;
  /** Order among thresholds due at the same instant: warnings, the breach, then escalations. */
  rank: number;
  kind: 'warning' | 'breached' | 'escalated';
  percent: number | null;
  step: EscalationStep | null;
}

interface Upcoming {
  at: number;
  kind: SlaEffect['kind'];
  clock: ClockName | 'manual';
  level: number | null;
  percent: number | null;
  threshold: Threshold | null;
}

/** Owed effects and every threshold that will fire, earliest first. */
function upcoming(s: SlaState): Upcoming[] {
  const list: Upcoming[] = s.owed.map((e) => ({
    at: toMs(e.at),
    kind: e.kind,
    clock: e.clock,
    level: e.kind === 'escalated' ? e.level : null,
    percent: e.kind === 'warning' ? e.percent : null,
    threshold: null,
  }));
  for (const name of CLOCKS) {
    const c = s.clocks[name];
    const calendar = s.policy.clocks[name].calendar;
    for (const th of thresholds(s, name)) {
      const at = instantOf(c, th.elapsedMs, calendar);
      if (at === null) continue;
      const level = th.step ? (th.step.stepUp ? s.level + 1 : th.step.level) : null;
      list.push({ at, kind: th.kind, clock: name, level, percent: th.percent, threshold: th });
    }
  }
  return list.sort((a, b) => a.at - b.at || rankOf(a) - rankOf(b));
}

const rankOf = (u: Upcoming): number =>
  u.threshold === null ? -1 : u.threshold.rank * 10 + CLOCKS.indexOf(u.threshold.clock);

function thresholds(s: SlaState, name: ClockName): Threshold[] {
  const c = s.clocks[name];
  const target = c.targetMs;
  if (target === null || c.phase === 'ended') return [];
  const out: Threshold[] = [];
  for (const p of s.policy.clocks[name].warningPercents) {
    if (p > 0 && p < 100)
      out.push({
        clock: name,
        tag: `warning:${p}`,
        elapsedMs: Math.ceil((target * p) / 100),
        rank: 0,
        kind: 'warning',
        percent: p,
        step: null,
      });
  }
  out.push({
    clock: name,
    tag: 'breached',
    elapsedMs: target,
    rank: 1,
    kind: 'breached',
    percent: null,
    step: null,
  });
  for (const step of s.policy.escalations) {
    // A step-up step can only raise the level; once the ticket is at its cap it never fires.
    if (step.clock !== name || (step.stepUp && s.level >= step.level)) continue;
    const tag = step.stepUp ? `up:${step.offsetMs}:${step.offsetPeriods}` : `level:${step.level}`;
    out.push({
      clock: name,
      tag,
      elapsedMs: stepThresholdMs(step, target),
      rank: 2,
      kind: 'escalated',
      percent: null,
      step,
    });
  }
  return out.filter((th) => !c.fired.includes(th.tag));
}

/** When a clock's elapsed time reaches `h`; null if it is paused short of it. */
function instantOf(c: ClockState, h: number, calendar: Calendar | null): number | null {
  // Reached already (a retarget lowered the target): due from the moment that was known.
  if (h <= c.elapsedMs) return c.segmentStart;
  if (c.phase !== 'running') return null;
  return addBusinessMs(new Date(c.segmentStart), h - c.elapsedMs, calendar).getTime();
}

/** Moves every threshold reached at or before `t` into `owed`, in time order, and marks it fired. */
function settle(s: SlaState, t: number): void {
  for (;;) {
    // One at a time: a step-up escalation changes the level that the next one starts from.
    const next = upcoming(s).find((u) => u.threshold !== null && u.at <= t);
    if (!next?.threshold) return;
    const th = next.threshold;
    const c = s.clocks[th.clock];
    c.fired.push(th.tag);
    const base = { clock: th.clock, cycle: c.cycle, at: iso(next.at) };
    const key = `${s.workflowId}:${th.clock}:${c.cycle}`;
    const target = c.targetMs ?? 0;
    if (th.kind === 'warning') {
      const due = instantOf(c, target, s.policy.clocks[th.clock].calendar) ?? next.at;
      s.owed.push({
        ...base,
        kind: 'warning',
        percent: th.percent ?? 0,
        targetMs: target,
        dueAt: iso(due),
        key: `${key}:warning:${th.percent}`,
      });
    } else if (th.kind === 'breached') {
      c.breachedAt = next.at;
      s.owed.push({ ...base, kind: 'breached', targetMs: target, key: `${key}:breached` });
    } else if (th.step) {
      const level = th.step.stepUp ? s.level + 1 : th.step.level;
      s.level = Math.max(s.level, level);
      s.owed.push({
        ...base,
        kind: 'escalated',
        level,
        actions: clone(th.step.actions),
        reason: reasonFor(th.clock, th.elapsedMs, target, s.policy.clocks[th.clock].calendar !== null),
        actorId: null,
        key: `${key}:${level}`,
      });
    }
  }
}

function endCycle(s: SlaState, name: ClockName, t: number, end: 'fulfilled' | 'stopped'): void {
  const c = s.clocks[name];
  closeSegment(c, t, s.policy.clocks[name].calendar);
  c.phase = 'ended';
  c.end = end;
  c.endedAt = t;
  if (end !== 'fulfilled' || c.targetMs === null) return;
  s.owed.push({
    kind: 'fulfilled',
    clock: name,
    cycle: c.cycle,
    at: iso(t),
    key: `${s.workflowId}:${name}:${c.cycle}:fulfilled`,
    met: c.breachedAt === null,
    targetMs: c.targetMs,
    elapsedMs: c.elapsedMs,
    pausedMs: c.pausedMs,
  });
}

function newCycle(
  policy: ResolvedPolicy,
  name: ClockName,
  priority: Priority,
  t: number,
  cycle: number,
): ClockState {
  return {
    cycle,
    phase: 'running',
    end: null,
    targetMs: targetFor(policy, name, priority),
    startedAt: t,
    segmentStart: t,
    endedAt: null,
    elapsedMs: 0,
    pausedMs: 0,
    breachedAt: null,
    fired: [],
  };
}

/** Pauses or resumes every live clock after the status or the pause statuses changed. */
function setPhases(s: SlaState, t: number): void {
  for (const name of CLOCKS) {
    const c = s.clocks[name];
    if (c.phase === 'ended') continue;
    const phase = s.policy.clocks[name].pauseStatuses.includes(s.status) ? 'paused' : 'running';
    if (phase === c.phase) continue;
    closeSegment(c, t, s.policy.clocks[name].calendar);
    c.phase = phase;
  }
}

function closeSegment(c: ClockState, t: number, calendar: Calendar | null): void {
  if (t <= c.segmentStart) return;
  const ms = businessMsBetween(new Date(c.segmentStart), new Date(t), calendar);
  if (c.phase === 'running') c.elapsedMs += ms;
  else if (c.phase === 'paused') c.pausedMs += ms;
  c.segmentStart = t;
}

const WHAT: Record<ClockName, string> = {
  first_response: 'no first response after',
  periodic_update: 'no staff activity for',
  resolution: 'not resolved after',
};

function reasonFor(name: ClockName, elapsedMs: number, targetMs: number, businessHours: boolean): string {
  const span = `${formatDuration(elapsedMs)}${businessHours ? ' of business hours' : ''}`;
  return `${WHAT[name]} ${span} (target ${formatDuration(targetMs)})`;
}

/** `1d2h`, `1h30m`, `45s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let left = Math.floor(ms / 1000) * 1000;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    if (n > 0) out += `${n}${unit}`;
    left -= n * size;
  }
  return out;
}

function toMs(value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO instant: ${value}`);
  return t;
}

const iso = (t: number): string => new Date(t).toISOString();

/** The state is plain JSON data, so a JSON copy is exact (and works in the workflow sandbox). */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
