import type { Priority } from '@helpdesk/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Calendar } from './business-time.ts';
import {
  applyFacts,
  fireDue,
  formatDuration,
  isDone,
  manualEscalation,
  nextWakeUp,
  retarget,
  type SlaEffect,
  type SlaState,
  startSla,
  type TicketFacts,
  view,
} from './clocks.ts';
import { type ClockName, defaultPolicy, type ResolvedPolicy } from './policy.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const WF = 'sla:ticket:t1';
// Friday 2030-01-04 14:00 UTC (15:00 in Berlin).
const T0 = Date.parse('2030-01-04T14:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

let seq = 1;
const fact = (ms: number, over: Partial<TicketFacts> = {}): TicketFacts => ({
  sequence: ++seq,
  type: 'ticket.updated',
  at: at(ms),
  status: 'open',
  priority: 'high',
  categoryId: null,
  staffActivity: false,
  firstPublicStaffReply: false,
  reopened: false,
  ...over,
});
const staff = (ms: number, over: Partial<TicketFacts> = {}) => fact(ms, { staffActivity: true, ...over });

function start(policy: ResolvedPolicy = defaultPolicy(null), over: Partial<TicketFacts> = {}): SlaState {
  seq = 1;
  return startSla({
    workflowId: WF,
    ticketId: 't1',
    orgId: 'org-a',
    policy,
    facts: { ...fact(0, over), sequence: 1, type: 'ticket.created', createdAt: at(0) },
  });
}

/** What the workflow does: sleep until the next wake-up, fire what is due, until `untilMs`. */
function runUntil(state: SlaState, untilMs: number): { state: SlaState; effects: SlaEffect[] } {
  const effects: SlaEffect[] = [];
  let s = state;
  for (let wake = nextWakeUp(s); wake !== null && Date.parse(wake) <= T0 + untilMs; wake = nextWakeUp(s)) {
    const r = fireDue(s, wake);
    expect(r.effects.length).toBeGreaterThan(0);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

const summary = (effects: SlaEffect[]) =>
  effects.map(
    (e) => `${e.kind}:${e.clock}:${e.cycle}${e.kind === 'escalated' ? `:L${e.level}` : ''}@${e.at}`,
  );
const escalations = (effects: SlaEffect[]) =>
  effects.filter((e): e is Extract<SlaEffect, { kind: 'escalated' }> => e.kind === 'escalated');
const clockOf = (s: SlaState, now: number, name: ClockName) => {
  const c = view(s, at(now)).clocks.find((x) => x.clock === name);
  if (!c) throw new Error(name);
  return c;
};

/** A policy from the default with some clock settings replaced. */
function policyWith(
  over: Partial<Record<ClockName, Partial<ResolvedPolicy['clocks'][ClockName]>>>,
  escalations?: ResolvedPolicy['escalations'],
): ResolvedPolicy {
  const base = defaultPolicy(null);
  const clocks = { ...base.clocks };
  for (const [name, o] of Object.entries(over) as [ClockName, object][])
    clocks[name] = { ...clocks[name], ...o };
  return {
    ...base,
    policyId: 'p1',
    version: 1,
    name: 'custom',
    clocks,
    escalations: escalations ?? base.escalations,
  };
}
const allPriorities = (ms: number | null) => ({ low: ms, medium: ms, high: ms, critical: ms });

describe('System A default (periodic_update)', () => {
  it('when a high ticket has no staff activity, then it escalates at exactly 1 h and not 1 ms before', () => {
    const s = start();
    expect(nextWakeUp(s)).toBe(at(HOUR));
    const early = fireDue(s, at(HOUR - 1));
    expect(early.effects).toEqual([]);
    const due = fireDue(early.state, at(HOUR));
    expect(due.effects).toEqual([
      {
        kind: 'breached',
        clock: 'periodic_update',
        cycle: 1,
        at: at(HOUR),
        targetMs: HOUR,
        key: `${WF}:periodic_update:1:breached`,
      },
      {
        kind: 'escalated',
        clock: 'periodic_update',
        cycle: 1,
        level: 1,
        actions: [],
        reason: 'no staff activity for 1h (target 1h)',
        actorId: null,
        at: at(HOUR),
        key: `${WF}:periodic_update:1:1`,
      },
    ]);
    expect(due.state.level).toBe(1);
  });

  it('when nobody acts, then it escalates again at 2 h (level 2) and 3 h (level 3), and never to level 4', () => {
    const { state, effects } = runUntil(start(), 1000 * HOUR);
    expect(escalations(effects).map((e) => [e.level, e.at, e.key])).toEqual([
      [1, at(HOUR), `${WF}:periodic_update:1:1`],
      [2, at(2 * HOUR), `${WF}:periodic_update:1:2`],
      [3, at(3 * HOUR), `${WF}:periodic_update:1:3`],
    ]);
    expect(state.level).toBe(3);
    expect(nextWakeUp(state)).toBeNull();
  });

  it.each([
    ['critical', 30 * MIN],
    ['high', HOUR],
    ['medium', 4 * HOUR],
    ['low', 24 * HOUR],
  ] as [Priority, number][])(
    'when a %s ticket is left alone, then levels 1-3 come at 1, 2 and 3 periods of %d ms',
    (priority, period) => {
      const s = start(defaultPolicy(null), { priority });
      expect(fireDue(s, at(period - 1)).effects).toEqual([]);
      const { effects } = runUntil(s, 10 * period);
      expect(escalations(effects).map((e) => [e.level, e.at])).toEqual([
        [1, at(period)],
        [2, at(2 * period)],
        [3, at(3 * period)],
      ]);
    },
  );

  it('when staff acts at 50 min, then the period restarts and the next escalation is at 1:50 in cycle 2', () => {
    const s = applyFacts(start(), staff(50 * MIN, { status: 'in_progress' }));
    expect(nextWakeUp(s)).toBe(at(50 * MIN));
    const owed = fireDue(s, at(50 * MIN));
    expect(owed.effects).toEqual([
      expect.objectContaining({
        kind: 'fulfilled',
        clock: 'periodic_update',
        cycle: 1,
        met: true,
        elapsedMs: 50 * MIN,
        key: `${WF}:periodic_update:1:fulfilled`,
      }),
    ]);
    expect(nextWakeUp(owed.state)).toBe(at(110 * MIN));
    expect(fireDue(owed.state, at(110 * MIN - 1)).effects).toEqual([]);
    const { effects } = runUntil(owed.state, 110 * MIN);
    expect(escalations(effects)).toEqual([
      expect.objectContaining({ level: 1, cycle: 2, at: at(110 * MIN), key: `${WF}:periodic_update:2:1` }),
    ]);
  });

  it('when staff acts after level 1, then the next period raises the level from where it was (System A counter)', () => {
    let r = runUntil(start(), HOUR);
    r = runUntil(applyFacts(r.state, staff(90 * MIN)), 1000 * HOUR);
    expect(escalations(r.effects).map((e) => [e.level, e.cycle, e.at])).toEqual([
      [2, 2, at(150 * MIN)],
      [3, 2, at(210 * MIN)],
    ]);
    expect(r.effects).toContainEqual(
      expect.objectContaining({ kind: 'fulfilled', clock: 'periodic_update', cycle: 1, met: false }),
    );
    expect(nextWakeUp(r.state)).toBeNull();
  });

  it('when customers comment, then the period does not restart', () => {
    const s = applyFacts(start(), fact(30 * MIN, { type: 'ticket.comment_added' }));
    expect(nextWakeUp(s)).toBe(at(HOUR));
  });

  it('when the ticket is resolved before 1 h, then nothing escalates ever and resolution is fulfilled in time', () => {
    const s = applyFacts(start(defaultPolicy(8)), staff(40 * MIN, { status: 'resolved' }));
    const { state, effects } = runUntil(s, 1000 * HOUR);
    expect(summary(effects)).toEqual([
      `fulfilled:periodic_update:1@${at(40 * MIN)}`,
      `fulfilled:resolution:1@${at(40 * MIN)}`,
    ]);
    expect(effects[1]).toMatchObject({ met: true, targetMs: 8 * HOUR, elapsedMs: 40 * MIN });
    expect(state.finished).toBe(true);
    expect(isDone(state)).toBe(false); // resolved: a reopen may start the clocks again
    expect(nextWakeUp(state)).toBeNull();
    expect(fireDue(state, at(1000 * HOUR)).effects).toEqual([]);
  });

  it('when the ticket is pending for 30 min, then the period stands still and ends 30 min later', () => {
    let s = applyFacts(start(), fact(20 * MIN, { status: 'pending' }));
    expect(nextWakeUp(s)).toBeNull();
    expect(clockOf(s, 40 * MIN, 'periodic_update')).toMatchObject({
      state: 'paused',
      paused: true,
      elapsedMs: 20 * MIN,
      pausedMs: 20 * MIN,
      dueAt: null,
      remainingMs: 40 * MIN,
    });
    s = applyFacts(s, fact(50 * MIN, { status: 'open' }));
    expect(nextWakeUp(s)).toBe(at(90 * MIN));
    expect(clockOf(s, 60 * MIN, 'periodic_update')).toMatchObject({
      state: 'running',
      elapsedMs: 30 * MIN,
      pausedMs: 30 * MIN,
      dueAt: at(90 * MIN),
    });
    expect(fireDue(s, at(90 * MIN - 1)).effects).toEqual([]);
    expect(escalations(runUntil(s, 90 * MIN).effects)).toEqual([
      expect.objectContaining({ level: 1, at: at(90 * MIN) }),
    ]);
  });

  it('when the priority goes from high to low at 30 min, then the target is 24 h with the 30 min kept', () => {
    const s = applyFacts(start(), fact(30 * MIN, { priority: 'low' }));
    expect(nextWakeUp(s)).toBe(at(24 * HOUR));
    expect(clockOf(s, 30 * MIN, 'periodic_update')).toMatchObject({
      targetMs: 24 * HOUR,
      elapsedMs: 30 * MIN,
      remainingMs: 23.5 * HOUR,
    });
    expect(fireDue(s, at(24 * HOUR - 1)).effects).toEqual([]);
    expect(escalations(runUntil(s, 24 * HOUR).effects)).toEqual([
      expect.objectContaining({ level: 1, at: at(24 * HOUR) }),
    ]);
  });

  it('when the priority goes from low to high after 2 h, then the overdue clock breaches at the change', () => {
    const s = applyFacts(
      start(defaultPolicy(null), { priority: 'low' }),
      fact(2 * HOUR, { priority: 'high' }),
    );
    expect(nextWakeUp(s)).toBe(at(2 * HOUR));
    const r = fireDue(s, at(2 * HOUR));
    // Two hours without activity are two periods of the new target: levels 1 and 2 at once.
    expect(summary(r.effects)).toEqual([
      `breached:periodic_update:1@${at(2 * HOUR)}`,
      `escalated:periodic_update:1:L1@${at(2 * HOUR)}`,
      `escalated:periodic_update:1:L2@${at(2 * HOUR)}`,
    ]);
    expect(nextWakeUp(r.state)).toBe(at(3 * HOUR));
  });

  it('when there is no category SLA, then resolution and first response are off', () => {
    const s = start();
    expect(view(s, at(0)).clocks.map((c) => [c.clock, c.state])).toEqual([
      ['first_response', 'off'],
      ['periodic_update', 'running'],
      ['resolution', 'off'],
    ]);
  });
});

describe('warnings', () => {
  const policy = policyWith({ resolution: { targetsMs: allPriorities(HOUR), warningPercents: [75, 50] } });

  it('when 75% of the target has passed, then a warning fires then, once, with the due time', () => {
    const s = start(policy);
    expect(fireDue(s, at(30 * MIN - 1)).effects).toEqual([]);
    const { effects } = runUntil(s, 10 * HOUR);
    expect(effects.filter((e) => e.clock === 'resolution')).toEqual([
      {
        kind: 'warning',
        clock: 'resolution',
        cycle: 1,
        percent: 50,
        targetMs: HOUR,
        dueAt: at(HOUR),
        at: at(30 * MIN),
        key: `${WF}:resolution:1:warning:50`,
      },
      {
        kind: 'warning',
        clock: 'resolution',
        cycle: 1,
        percent: 75,
        targetMs: HOUR,
        dueAt: at(HOUR),
        at: at(45 * MIN),
        key: `${WF}:resolution:1:warning:75`,
      },
      {
        kind: 'breached',
        clock: 'resolution',
        cycle: 1,
        targetMs: HOUR,
        at: at(HOUR),
        key: `${WF}:resolution:1:breached`,
      },
    ]);
  });

  it('when a retarget moves the threshold after a warning fired, then it does not fire again', () => {
    let r = runUntil(start(policy), 45 * MIN);
    expect(r.effects.filter((e) => e.kind === 'warning')).toHaveLength(2);
    const longer = policyWith({
      resolution: { targetsMs: allPriorities(2 * HOUR), warningPercents: [75, 50] },
    });
    r = runUntil(retarget(r.state, longer, at(46 * MIN)), 1000 * HOUR);
    expect(r.effects.filter((e) => e.clock === 'resolution').map((e) => [e.kind, e.at])).toEqual([
      ['breached', at(2 * HOUR)],
    ]);
  });
});

describe('escalation ladder', () => {
  const notify = { type: 'notify' as const, userIds: ['lead'], roles: [] };
  const reassign = { type: 'reassign' as const, assigneeId: 'boss' };
  const raise = { type: 'raise_priority' as const, to: 'critical' as const };
  const ladder: ResolvedPolicy['escalations'] = [
    { clock: 'resolution', level: 3, stepUp: false, offsetMs: 2 * HOUR, offsetPeriods: 0, actions: [raise] },
    { clock: 'resolution', level: 1, stepUp: false, offsetMs: 0, offsetPeriods: 0, actions: [notify] },
    {
      clock: 'resolution',
      level: 2,
      stepUp: false,
      offsetMs: 30 * MIN,
      offsetPeriods: 0,
      actions: [reassign],
    },
  ];
  const policy = policyWith(
    {
      periodic_update: { targetsMs: allPriorities(null) },
      resolution: { targetsMs: allPriorities(4 * HOUR) },
    },
    ladder,
  );

  it('when the resolution target is missed, then three levels fire in order with their actions', () => {
    const s = start(policy);
    expect(fireDue(s, at(4 * HOUR - 1)).effects).toEqual([]);
    const { state, effects } = runUntil(s, 1000 * HOUR);
    expect(escalations(effects).map((e) => [e.level, e.at, e.actions, e.key])).toEqual([
      [1, at(4 * HOUR), [notify], `${WF}:resolution:1:1`],
      [2, at(4.5 * HOUR), [reassign], `${WF}:resolution:1:2`],
      [3, at(6 * HOUR), [raise], `${WF}:resolution:1:3`],
    ]);
    expect(escalations(effects)[2]?.reason).toBe('not resolved after 6h (target 4h)');
    expect(state.level).toBe(3);
  });

  it('when levels come due together, then fireDue hands them out in time order, each once', () => {
    const s = start(policy);
    const late = fireDue(s, at(10 * HOUR));
    expect(summary(late.effects)).toEqual([
      `breached:resolution:1@${at(4 * HOUR)}`,
      `escalated:resolution:1:L1@${at(4 * HOUR)}`,
      `escalated:resolution:1:L2@${at(4.5 * HOUR)}`,
      `escalated:resolution:1:L3@${at(6 * HOUR)}`,
    ]);
    expect(fireDue(late.state, at(20 * HOUR)).effects).toEqual([]);
  });

  it('when the ticket is pending after the breach, then the next level waits for it (offsets are clock time)', () => {
    let r = runUntil(start(policy), 4 * HOUR);
    r = runUntil(applyFacts(r.state, fact(4 * HOUR + 10 * MIN, { status: 'pending' })), 100 * HOUR);
    expect(escalations(r.effects)).toEqual([]);
    r = runUntil(applyFacts(r.state, fact(100 * HOUR, { status: 'open' })), 1000 * HOUR);
    expect(escalations(r.effects).map((e) => [e.level, e.at])).toEqual([
      [2, at(100 * HOUR + 20 * MIN)],
      [3, at(101 * HOUR + 50 * MIN)],
    ]);
  });
});

describe('first response', () => {
  const policy = policyWith({ first_response: { targetsMs: allPriorities(2 * HOUR) } });

  it('when staff replies publicly in time, then first response is met and stays met', () => {
    let s = applyFacts(
      start(policy),
      staff(HOUR, { firstPublicStaffReply: true, type: 'ticket.comment_added' }),
    );
    const r = fireDue(s, at(HOUR));
    expect(r.effects).toContainEqual(
      expect.objectContaining({
        kind: 'fulfilled',
        clock: 'first_response',
        met: true,
        elapsedMs: HOUR,
        key: `${WF}:first_response:1:fulfilled`,
      }),
    );
    s = applyFacts(
      applyFacts(r.state, staff(2 * HOUR, { status: 'resolved' })),
      fact(3 * HOUR, { status: 'open', reopened: true }),
    );
    expect(clockOf(s, 5 * HOUR, 'first_response')).toMatchObject({
      state: 'met',
      cycle: 1,
      elapsedMs: HOUR,
      endedAt: at(HOUR),
    });
    expect(runUntil(s, 100 * HOUR).effects.filter((e) => e.clock === 'first_response')).toEqual([]);
  });

  it('when the reply comes late, then first response breached and its fulfilment says so', () => {
    const r = runUntil(start(policy), 2 * HOUR);
    expect(r.effects).toContainEqual(
      expect.objectContaining({ kind: 'breached', clock: 'first_response', at: at(2 * HOUR) }),
    );
    const s = applyFacts(r.state, staff(3 * HOUR, { firstPublicStaffReply: true }));
    expect(fireDue(s, at(3 * HOUR)).effects).toContainEqual(
      expect.objectContaining({ kind: 'fulfilled', clock: 'first_response', met: false }),
    );
    expect(clockOf(s, 4 * HOUR, 'first_response')).toMatchObject({
      state: 'breached',
      breachedAt: at(2 * HOUR),
    });
  });

  it("when the snapshot's first response is earlier than the event that brings it, then the clock ends (met) at that instant", () => {
    const s = applyFacts(start(policy), fact(3 * HOUR, { firstResponseAt: at(90 * MIN) }));
    expect(clockOf(s, 3 * HOUR, 'first_response')).toMatchObject({
      state: 'met',
      endedAt: at(90 * MIN),
      elapsedMs: 90 * MIN,
      breachedAt: null,
    });
    const fr = fireDue(s, at(3 * HOUR)).effects.filter((e) => e.clock === 'first_response');
    expect(fr).toEqual([
      expect.objectContaining({ kind: 'fulfilled', met: true, elapsedMs: 90 * MIN, at: at(90 * MIN) }),
    ]);
  });

  it("when the breach was already handed out before the snapshot's earlier first response arrives, then the breach stands", () => {
    const r = runUntil(start(policy), 2 * HOUR);
    const s = applyFacts(r.state, fact(3 * HOUR, { firstResponseAt: at(90 * MIN) }));
    expect(fireDue(s, at(3 * HOUR)).effects).toContainEqual(
      expect.objectContaining({ kind: 'fulfilled', clock: 'first_response', met: false }),
    );
    expect(clockOf(s, 3 * HOUR, 'first_response').breachedAt).toBe(at(2 * HOUR));
  });

  it('when the first reply event was dropped as out of order, then the snapshot first response still fulfils it', () => {
    const s = applyFacts(start(policy), fact(HOUR, { sequence: 5, firstResponseAt: at(50 * MIN) }));
    expect(clockOf(s, HOUR, 'first_response').state).toBe('met');
  });
});

describe('reopen, close and cancel', () => {
  const policy = policyWith({ resolution: { targetsMs: allPriorities(4 * HOUR) } });

  it('when a resolved ticket is reopened, then resolution starts a new cycle with new keys', () => {
    let s = applyFacts(start(policy), staff(50 * MIN, { status: 'resolved' }));
    expect(clockOf(s, 2 * HOUR, 'resolution')).toMatchObject({ state: 'met', cycle: 1 });
    s = applyFacts(s, fact(10 * HOUR, { status: 'open', reopened: true }));
    expect(s.finished).toBe(false);
    expect(clockOf(s, 10 * HOUR, 'resolution')).toMatchObject({
      state: 'running',
      cycle: 2,
      elapsedMs: 0,
      startedAt: at(10 * HOUR),
      dueAt: at(14 * HOUR),
    });
    const { effects } = runUntil(s, 14 * HOUR);
    expect(effects.filter((e) => e.clock === 'resolution').map((e) => e.key)).toEqual([
      `${WF}:resolution:1:fulfilled`,
      `${WF}:resolution:2:breached`,
    ]);
    expect(effects).toContainEqual(
      expect.objectContaining({
        kind: 'escalated',
        clock: 'periodic_update',
        cycle: 2,
        level: 1,
        at: at(11 * HOUR),
      }),
    );
  });

  it('when the reopen comes before its resolve (out of order), then resolution still starts a new cycle', () => {
    const s = applyFacts(start(policy), fact(2 * HOUR, { sequence: 3, status: 'open', reopened: true }));
    expect(clockOf(s, 2 * HOUR, 'resolution')).toMatchObject({ cycle: 2, elapsedMs: 0 });
  });

  it.each(['closed', 'cancelled'] as const)(
    'when the ticket is %s, then every clock stops for good',
    (status) => {
      let s = applyFacts(start(policy), staff(30 * MIN, { status }));
      expect(s.finished).toBe(true);
      expect(view(s, at(HOUR)).clocks.map((c) => c.state)).toEqual(['off', 'met', 'stopped']);
      s = applyFacts(s, fact(2 * HOUR, { status: 'open', reopened: true }));
      expect(isDone(s)).toBe(false); // its fulfilment is still to be handed out
      const drained = fireDue(s, at(2 * HOUR)).state;
      expect(nextWakeUp(drained)).toBeNull();
      expect(isDone(drained)).toBe(true);
      expect(
        manualEscalation(s, { at: at(3 * HOUR), reason: 'x', actorId: 'admin', key: 'k' }).effects,
      ).toEqual([expect.objectContaining({ kind: 'fulfilled', clock: 'periodic_update' })]);
    },
  );
});

describe('duplicates, order and time', () => {
  it('when a fact repeats or comes out of order by sequence, then nothing changes', () => {
    const s = applyFacts(start(), staff(30 * MIN, { sequence: 7 }));
    expect(applyFacts(s, staff(30 * MIN, { sequence: 7 }))).toBe(s);
    expect(applyFacts(s, fact(40 * MIN, { sequence: 6, status: 'pending', priority: 'low' }))).toBe(s);
  });

  it('when a staff note comes after a newer customer comment (out of order), then the period restarts at the note', () => {
    const comment = applyFacts(start(), fact(50 * MIN, { sequence: 3, type: 'ticket.comment_added' }));
    const s = applyFacts(comment, staff(40 * MIN, { sequence: 2, type: 'ticket.comment_added' }));
    expect(clockOf(s, 50 * MIN, 'periodic_update')).toMatchObject({
      cycle: 2,
      startedAt: at(40 * MIN),
      elapsedMs: 10 * MIN,
    });
    const { state, effects } = runUntil(s, HOUR + 39 * MIN);
    expect(summary(effects)).toEqual([`fulfilled:periodic_update:1@${at(40 * MIN)}`]);
    expect(nextWakeUp(state)).toBe(at(HOUR + 40 * MIN));
    expect(applyFacts(s, staff(40 * MIN, { sequence: 2 }))).toBe(s);
  });

  it('when a stale staff fact also carries an old status and priority, then only the period restarts', () => {
    const s0 = applyFacts(start(), fact(50 * MIN, { sequence: 3 }));
    const s = applyFacts(s0, staff(40 * MIN, { sequence: 2, status: 'pending', priority: 'low' }));
    expect(s).toMatchObject({ status: 'open', priority: 'high', lastSequence: 3 });
    expect(clockOf(s, 50 * MIN, 'periodic_update')).toMatchObject({
      cycle: 2,
      targetMs: HOUR,
      paused: false,
    });
  });

  it('when a stale staff fact comes after its period already escalated, then those effects stand and the next period starts at it', () => {
    const s0 = applyFacts(start(), fact(HOUR + 10 * MIN, { sequence: 3 }));
    const s = applyFacts(s0, staff(HOUR + 5 * MIN, { sequence: 2 }));
    const r = fireDue(s, at(HOUR + 10 * MIN));
    expect(summary(r.effects)).toEqual([
      `breached:periodic_update:1@${at(HOUR)}`,
      `escalated:periodic_update:1:L1@${at(HOUR)}`,
      `fulfilled:periodic_update:1@${at(HOUR + 5 * MIN)}`,
    ]);
    expect(escalations(runUntil(r.state, 1000 * HOUR).effects).map((e) => [e.level, e.cycle, e.at])).toEqual([
      [2, 2, at(2 * HOUR + 5 * MIN)],
      [3, 2, at(3 * HOUR + 5 * MIN)],
    ]);
  });

  it('when a stale staff fact is older than the current period, then nothing changes', () => {
    const s = applyFacts(
      applyFacts(start(), staff(50 * MIN, { sequence: 3 })),
      fact(55 * MIN, { sequence: 4 }),
    );
    expect(applyFacts(s, staff(40 * MIN, { sequence: 2 }))).toBe(s);
  });

  it('when a staff activity arrives after a breach that was not fired yet, then the breach still fires at its instant', () => {
    const s = applyFacts(start(), staff(HOUR + 5 * MIN));
    expect(nextWakeUp(s)).toBe(at(HOUR));
    const r = fireDue(s, at(HOUR + 5 * MIN));
    expect(summary(r.effects)).toEqual([
      `breached:periodic_update:1@${at(HOUR)}`,
      `escalated:periodic_update:1:L1@${at(HOUR)}`,
      `fulfilled:periodic_update:1@${at(HOUR + 5 * MIN)}`,
    ]);
    expect(nextWakeUp(r.state)).toBe(at(2 * HOUR + 5 * MIN));
  });

  it('when a fact is older than what the engine has seen, then it takes effect at the later instant', () => {
    const fired = fireDue(start(), at(HOUR));
    const s = applyFacts(fired.state, fact(10 * MIN, { status: 'pending' }));
    expect(clockOf(s, 2 * HOUR, 'periodic_update')).toMatchObject({ elapsedMs: HOUR, pausedMs: HOUR });
  });

  it('when the workflow starts from a later event, then the clocks count from the ticket creation', () => {
    const s = startSla({
      workflowId: WF,
      ticketId: 't1',
      orgId: 'org-a',
      policy: defaultPolicy(null),
      facts: {
        ...fact(20 * MIN, { status: 'assigned' }),
        sequence: 2,
        type: 'ticket.assigned',
        createdAt: at(0),
      },
    });
    expect(s.lastSequence).toBe(2);
    expect(clockOf(s, 20 * MIN, 'periodic_update')).toMatchObject({
      cycle: 1,
      startedAt: at(0),
      elapsedMs: 20 * MIN,
    });
    expect(nextWakeUp(s)).toBe(at(HOUR));
  });

  it.each([
    [3, []],
    [1, [2, 3]],
  ])(
    'when the workflow starts late on a ticket at level %d, then the ladder continues from it (%j)',
    (level, expected) => {
      const s = startSla({
        workflowId: WF,
        ticketId: 't1',
        orgId: 'org-a',
        policy: defaultPolicy(null),
        facts: { ...fact(6 * HOUR), sequence: 40, createdAt: at(0), escalationLevel: level },
      });
      const { effects } = runUntil(s, 1000 * HOUR);
      expect(escalations(effects).map((e) => e.level)).toEqual(expected);
      expect(effects).toContainEqual(expect.objectContaining({ kind: 'breached', clock: 'periodic_update' }));
    },
  );

  it('when the state goes through JSON, then it is the same and behaves the same', () => {
    const s = applyFacts(start(defaultPolicy(8)), fact(10 * MIN, { status: 'pending' }));
    const copy = JSON.parse(JSON.stringify(s)) as SlaState;
    expect(copy).toEqual(s);
    expect(runUntil(copy, 100 * HOUR)).toEqual(runUntil(s, 100 * HOUR));
  });
});

describe('retarget', () => {
  it('when the policy changes at 30 min, then running clocks keep their elapsed and paused time', () => {
    let s = applyFacts(start(), fact(10 * MIN, { status: 'pending' }));
    s = applyFacts(s, fact(20 * MIN, { status: 'open' }));
    s = retarget(s, policyWith({ periodic_update: { targetsMs: allPriorities(2 * HOUR) } }), at(30 * MIN));
    expect(clockOf(s, 30 * MIN, 'periodic_update')).toMatchObject({
      targetMs: 2 * HOUR,
      elapsedMs: 20 * MIN,
      pausedMs: 10 * MIN,
      dueAt: at(130 * MIN),
    });
    expect(nextWakeUp(s)).toBe(at(130 * MIN));
  });

  it('when a shorter target is already behind the clock, then it fires on the next fireDue', () => {
    const s = retarget(
      start(),
      policyWith({ periodic_update: { targetsMs: allPriorities(20 * MIN) } }),
      at(30 * MIN),
    );
    expect(nextWakeUp(s)).toBe(at(30 * MIN));
    expect(summary(fireDue(s, at(31 * MIN)).effects)).toEqual([
      `breached:periodic_update:1@${at(30 * MIN)}`,
      `escalated:periodic_update:1:L1@${at(30 * MIN)}`,
    ]);
  });

  it('when a clock has ended, then a retarget leaves it as it was', () => {
    const policy = policyWith({ first_response: { targetsMs: allPriorities(HOUR) } });
    const s = applyFacts(start(policy), staff(30 * MIN, { firstPublicStaffReply: true }));
    const before = clockOf(s, HOUR, 'first_response');
    const after = retarget(
      s,
      policyWith({ first_response: { targetsMs: allPriorities(10 * MIN) } }),
      at(HOUR),
    );
    expect(clockOf(after, HOUR, 'first_response')).toEqual(before);
    expect(after.clocks.first_response).toEqual(s.clocks.first_response);
  });

  it('when a policy adds a pause status, then the clocks pause from then on', () => {
    const s = retarget(
      applyFacts(start(), fact(10 * MIN, { status: 'in_progress' })),
      policyWith({ periodic_update: { pauseStatuses: ['pending', 'in_progress'] } }),
      at(20 * MIN),
    );
    expect(clockOf(s, 50 * MIN, 'periodic_update')).toMatchObject({
      state: 'paused',
      elapsedMs: 20 * MIN,
      pausedMs: 30 * MIN,
    });
  });
});

describe('manual escalation', () => {
  it('when an admin escalates, then the level goes one up with a key, and a repeated request does nothing', () => {
    const r = manualEscalation(start(), {
      at: at(10 * MIN),
      reason: 'VIP',
      actorId: 'admin-1',
      key: 'req-1',
    });
    expect(r.effects).toEqual([
      {
        kind: 'escalated',
        clock: 'manual',
        cycle: 0,
        level: 1,
        actions: [],
        reason: 'VIP',
        actorId: 'admin-1',
        at: at(10 * MIN),
        key: `${WF}:manual:req-1:1`,
      },
    ]);
    const again = manualEscalation(r.state, {
      at: at(11 * MIN),
      reason: 'VIP',
      actorId: 'admin-1',
      key: 'req-1',
    });
    expect(again.effects).toEqual([]);
    expect(again.state.level).toBe(1);
  });

  it('when automatic escalations are due, then they come first and the manual one goes above them', () => {
    const r = manualEscalation(start(), {
      at: at(2 * HOUR + MIN),
      reason: 'stuck',
      actorId: 'admin-1',
      key: 'req-2',
    });
    expect(escalations(r.effects).map((e) => [e.clock, e.level])).toEqual([
      ['periodic_update', 1],
      ['periodic_update', 2],
      ['manual', 3],
    ]);
    // System A stops at level 3: the next period has nothing left to raise.
    expect(nextWakeUp(r.state)).toBeNull();
  });
});

describe('business calendar', () => {
  // Mon-Fri 09:00-17:00 in Berlin (UTC+1 in January): 08:00-16:00 UTC.
  const nineToFive = [{ start: '09:00', end: '17:00' }];
  const calendar: Calendar = {
    timeZone: 'Europe/Berlin',
    week: {
      mon: nineToFive,
      tue: nineToFive,
      wed: nineToFive,
      thu: nineToFive,
      fri: nineToFive,
      sat: [],
      sun: [],
    },
    holidays: [],
  };
  const policy = policyWith(
    {
      periodic_update: { targetsMs: allPriorities(null) },
      resolution: { targetsMs: allPriorities(8 * HOUR), calendar },
    },
    [
      { clock: 'resolution', level: 1, stepUp: false, offsetMs: 0, offsetPeriods: 0, actions: [] },
      { clock: 'resolution', level: 2, stepUp: false, offsetMs: 3 * HOUR, offsetPeriods: 0, actions: [] },
    ],
  );

  it('when a ticket opens on Friday afternoon, then its due time skips the night and the weekend', () => {
    const s = start(policy); // Friday 15:00 Berlin: 2 h left that day, 6 h on Monday.
    expect(nextWakeUp(s)).toBe('2030-01-07T14:00:00.000Z');
    expect(clockOf(s, 0, 'resolution').dueAt).toBe('2030-01-07T14:00:00.000Z');
    expect(fireDue(s, '2030-01-07T13:59:59.999Z').effects).toEqual([]);
    const { effects } = runUntil(s, 1000 * HOUR);
    expect(escalations(effects)[0]?.reason).toBe('not resolved after 8h of business hours (target 8h)');
    expect(escalations(effects).map((e) => [e.level, e.at])).toEqual([
      [1, '2030-01-07T14:00:00.000Z'],
      [2, '2030-01-08T09:00:00.000Z'], // 3 business hours after Monday 15:00: Tuesday 10:00 Berlin.
    ]);
  });

  it('when the ticket waits over the weekend, then elapsed and paused time are business time', () => {
    let s = applyFacts(start(policy), fact(HOUR, { status: 'pending' })); // Friday 16:00 Berlin
    s = applyFacts(s, { ...fact(0, { status: 'open' }), at: '2030-01-07T09:00:00.000Z' }); // Monday 10:00 Berlin
    expect(clockOf(s, 0, 'resolution')).toMatchObject({
      elapsedMs: HOUR,
      pausedMs: 2 * HOUR,
      state: 'running',
    });
    expect(nextWakeUp(s)).toBe('2030-01-07T16:00:00.000Z'); // 7 h left: Monday 10:00-17:00 Berlin.
  });
});

describe('view', () => {
  it('when asked, then it shows every clock, the level and the next event', () => {
    const s = fireDue(
      applyFacts(start(defaultPolicy(2)), staff(20 * MIN, { status: 'in_progress' })),
      at(20 * MIN),
    ).state;
    expect(view(s, at(30 * MIN))).toEqual({
      ticketId: 't1',
      orgId: 'org-a',
      status: 'in_progress',
      priority: 'high',
      policy: { id: null, name: 'default', version: null },
      escalationLevel: 0,
      finished: false,
      clocks: [
        expect.objectContaining({
          clock: 'first_response',
          state: 'off',
          targetMs: null,
          dueAt: null,
          remainingMs: null,
          elapsedMs: 30 * MIN,
        }),
        {
          clock: 'periodic_update',
          cycle: 2,
          state: 'running',
          paused: false,
          targetMs: HOUR,
          dueAt: at(80 * MIN),
          remainingMs: 50 * MIN,
          elapsedMs: 10 * MIN,
          pausedMs: 0,
          startedAt: at(20 * MIN),
          endedAt: null,
          breachedAt: null,
        },
        expect.objectContaining({
          clock: 'resolution',
          state: 'running',
          dueAt: at(2 * HOUR),
          elapsedMs: 30 * MIN,
        }),
      ],
      nextEvent: { kind: 'breached', clock: 'periodic_update', at: at(80 * MIN), level: null, percent: null },
    });
  });

  it('when a deadline passed and fireDue has not run yet, then the clock already shows breached', () => {
    expect(clockOf(start(), HOUR, 'periodic_update')).toMatchObject({
      state: 'breached',
      remainingMs: 0,
      dueAt: at(HOUR),
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [45_000, '45s'],
    [90 * MIN, '1h30m'],
    [26 * HOUR, '1d2h'],
  ])('when %d ms, then %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('properties', () => {
  const STATUSES = [
    'open',
    'assigned',
    'in_progress',
    'pending',
    'pending',
    'resolved',
    'closed',
    'cancelled',
  ] as const;
  const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
  const weekdays: Calendar = {
    timeZone: 'America/New_York',
    week: {
      mon: [
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '18:00' },
      ],
      tue: [{ start: '08:00', end: '18:00' }],
      wed: [{ start: '08:00', end: '18:00' }],
      thu: [{ start: '08:00', end: '18:00' }],
      fri: [{ start: '08:00', end: '16:00' }],
      sat: [],
      sun: [],
    },
    holidays: [{ date: '2030-01-08', yearly: false }],
  };
  const ladder: ResolvedPolicy['escalations'] = [
    { clock: 'first_response', level: 1, stepUp: false, offsetMs: 0, offsetPeriods: 0, actions: [] },
    { clock: 'resolution', level: 2, stepUp: false, offsetMs: 20 * MIN, offsetPeriods: 0, actions: [] },
    { clock: 'resolution', level: 3, stepUp: false, offsetMs: 0, offsetPeriods: 1, actions: [] },
  ];
  const custom = (calendar: Calendar | null) =>
    policyWith(
      {
        first_response: {
          targetsMs: { low: 8 * HOUR, medium: 4 * HOUR, high: HOUR, critical: 15 * MIN },
          warningPercents: [80],
          calendar,
        },
        periodic_update: { calendar, pauseStatuses: ['pending', 'assigned'] },
        resolution: {
          targetsMs: { low: null, medium: 24 * HOUR, high: 8 * HOUR, critical: 2 * HOUR },
          warningPercents: [50, 90],
          calendar,
        },
      },
      [...defaultPolicy(null).escalations, ...ladder],
    );
  const policies: [string, ResolvedPolicy][] = [
    ['default', defaultPolicy(null)],
    ['default with category hours', defaultPolicy(6)],
    ['custom 24x7', custom(null)],
    ['custom business hours', custom(weekdays)],
  ];

  const stepArb = fc.record({
    dt: fc.integer({ min: 0, max: 5 * HOUR }),
    status: fc.constantFrom(...STATUSES),
    priority: fc.constantFrom(...PRIORITIES),
    staffActivity: fc.boolean(),
    firstPublicStaffReply: fc.boolean(),
    lateness: fc.integer({ min: 0, max: 10 * MIN }),
    repeat: fc.constantFrom('none', 'duplicate', 'stale'),
    retargetTo: fc.option(fc.integer({ min: 0, max: policies.length - 1 }), { freq: 8 }),
  });
  const scriptArb = fc.array(stepArb, { maxLength: 25 });
  type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

  interface Fired {
    effect: SlaEffect;
    now: number;
    before: SlaState;
  }

  /** Plays a script like the workflow would: wake-ups (`late` ones after their instant) between facts. */
  function simulate(policy: ResolvedPolicy, script: Step[], opts: { late: boolean; json: boolean }) {
    let s = start(policy);
    let t = T0;
    const fired: Fired[] = [];
    const levels: number[] = [];
    const wakeUntil = (limit: number, lateness: number) => {
      for (let i = 0; i < 1000; i++) {
        const wake = nextWakeUp(s);
        if (wake === null || Date.parse(wake) > limit) return;
        const now = Math.min(Date.parse(wake) + (opts.late ? lateness : 0), limit);
        const r = fireDue(s, new Date(now).toISOString());
        // nextWakeUp is honest: waking at or after it always hands something out.
        expect(r.effects.length).toBeGreaterThan(0);
        for (const effect of r.effects) fired.push({ effect, now, before: s });
        s = r.state;
        // Nothing due is left behind.
        const after = nextWakeUp(s);
        expect(after === null || Date.parse(after) > now).toBe(true);
        levels.push(s.level);
      }
      throw new Error('no progress');
    };
    for (const step of script) {
      t += step.dt;
      wakeUntil(t, step.lateness);
      const f = fact(t - T0, step);
      if (step.retargetTo !== null) s = retarget(s, policies[step.retargetTo]?.[1] ?? policy, f.at);
      const next = applyFacts(s, f);
      if (step.repeat === 'duplicate') expect(applyFacts(next, f)).toBe(next);
      if (step.repeat === 'stale')
        expect(
          applyFacts(next, {
            ...fact(t - T0 + HOUR, { status: 'pending', priority: 'critical' }),
            sequence: f.sequence - 1,
          }),
        ).toBe(next);
      s = opts.json ? (JSON.parse(JSON.stringify(next)) as SlaState) : next;
      levels.push(s.level);
    }
    wakeUntil(t + 2000 * HOUR, 0);
    return { fired, levels, state: s };
  }

  it.each(policies)(
    'when facts arrive in any order and timing (%s), then nothing fires early and every key fires at most once',
    (_, policy) => {
      fc.assert(
        fc.property(scriptArb, (script) => {
          const { fired, levels } = simulate(policy, script, { late: true, json: false });
          const keys = fired.map((f) => f.effect.key);
          expect(new Set(keys).size).toBe(keys.length);
          const breaches = new Map<string, number>();
          for (const { effect, now, before } of fired) {
            const due = Date.parse(effect.at);
            expect(due).toBeLessThanOrEqual(now);
            if (effect.kind === 'fulfilled' || effect.clock === 'manual') continue;
            const cycle = `${effect.clock}:${effect.cycle}`;
            if (effect.kind === 'escalated') {
              // No rung of a ladder before its clock's breach.
              expect(breaches.get(cycle)).toBeLessThanOrEqual(due);
              continue;
            }
            if (effect.kind === 'breached') breaches.set(cycle, due);
            const c = view(before, effect.at).clocks.find((x) => x.clock === effect.clock);
            if (!c || c.cycle !== effect.cycle || c.endedAt !== null) continue;
            // The clock has run at least the threshold's share of the target it fired under.
            const least =
              effect.kind === 'warning'
                ? Math.ceil((effect.targetMs * effect.percent) / 100)
                : effect.targetMs;
            expect(c.elapsedMs).toBeGreaterThanOrEqual(least);
          }
          for (let i = 1; i < levels.length; i++)
            expect(levels[i]).toBeGreaterThanOrEqual(levels[i - 1] ?? 0);
          if (policy.name === 'default') expect(Math.max(0, ...levels)).toBeLessThanOrEqual(3);
        }),
        { numRuns: 150 },
      );
    },
  );

  it.each(policies)(
    'when the workflow wakes late (%s), then the same effects fire with the same instants',
    (_, policy) => {
      fc.assert(
        fc.property(scriptArb, (script) => {
          const byKey = (fired: Fired[]) =>
            fired.map((f) => f.effect).sort((a, b) => a.key.localeCompare(b.key));
          expect(byKey(simulate(policy, script, { late: true, json: false }).fired)).toEqual(
            byKey(simulate(policy, script, { late: false, json: false }).fired),
          );
        }),
        { numRuns: 100 },
      );
    },
  );

  it.each(policies)(
    'when the state goes through JSON at every step (%s), then nothing changes',
    (_, policy) => {
      fc.assert(
        fc.property(scriptArb, (script) => {
          const plain = simulate(policy, script, { late: true, json: false });
          const json = simulate(policy, script, { late: true, json: true });
          expect(json.fired.map((f) => f.effect)).toEqual(plain.fired.map((f) => f.effect));
          expect(json.state).toEqual(plain.state);
        }),
        { numRuns: 100 },
      );
    },
  );

  it('when clocks run 24x7, then elapsed plus paused time is the time since the cycle started', () => {
    fc.assert(
      fc.property(scriptArb, fc.integer({ min: 0, max: 10 * HOUR }), (script, extra) => {
        const only24x7 = script.map((step) => (step.retargetTo === 3 ? { ...step, retargetTo: null } : step));
        const { state } = simulate(custom(null), only24x7, { late: true, json: false });
        const now = state.now + extra;
        for (const c of view(state, new Date(now).toISOString()).clocks) {
          if (c.endedAt !== null) continue;
          expect(c.elapsedMs + c.pausedMs).toBe(now - Date.parse(c.startedAt));
        }
      }),
      { numRuns: 150 },
    );
  });
});
