import type { Priority } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testkit';
import { describe, expect, it } from 'vitest';
import type { SlaEffect } from '../src/domain/clocks.ts';
import { defaultPolicy } from '../src/domain/policy.ts';
import { type FakeActivities, fakeActivities } from './fake-activities.ts';
import { customPolicy, everyPriority, rung } from './policies.ts';
import {
  HOUR,
  MIN,
  sleepUntil,
  startTicket,
  type TicketDriver,
  useSlaTestEnv,
  withWorker,
} from './sla-workflow-env.ts';

const sla = useSlaTestEnv();

/** How late an effect may be recorded after its deadline on the skipped clock (the worker's own work). */
const MAX_LATENESS_MS = 1000;

type Recorded = SlaEffect & { scheduledAt: number };
const escalations = (fake: FakeActivities, t: TicketDriver) =>
  fake.effectsOf(t.workflowId).filter((e) => e.kind === 'escalated');

/** Waits for the first recorded effect that matches, then checks it fell due at `deadline` and was not recorded before it. */
async function expectOnTime(
  fake: FakeActivities,
  t: TicketDriver,
  deadlineOffset: number,
  match: (e: Recorded) => boolean,
): Promise<Recorded> {
  const deadline = t.t0 + deadlineOffset;
  const e = await waitFor(() => fake.effectsOf(t.workflowId).find(match), {
    description: 'the effect recorded',
  });
  expect(e.at).toBe(t.at(deadlineOffset));
  expect(e.scheduledAt).toBeGreaterThanOrEqual(deadline);
  expect(e.scheduledAt - deadline).toBeLessThan(MAX_LATENESS_MS);
  return e;
}

/** Sleeps to one second before `offset`, checks nothing matching was recorded yet, then sleeps past it. */
async function crossDeadline(
  fake: FakeActivities,
  t: TicketDriver,
  offset: number,
  match: (e: Recorded) => boolean,
) {
  await sleepUntil(sla.env, t.t0 + offset - 1000);
  expect(fake.effectsOf(t.workflowId).filter(match)).toEqual([]);
  await sleepUntil(sla.env, t.t0 + offset + 1000);
  return expectOnTime(fake, t, offset, match);
}

const isLevel = (level: number) => (e: Recorded) => e.kind === 'escalated' && e.level === level;

/** Waits until the workflow runs and has armed its first timer (its view names the next event). */
const armed = (t: TicketDriver) => waitFor(async () => (await t.view()).nextEvent !== null);

describe('ticketSlaWorkflow: System A defaults', () => {
  it.each<{ priority: Priority; period: number; label: string }>([
    { priority: 'critical', period: 30 * MIN, label: '30 min' },
    { priority: 'high', period: HOUR, label: '1 h' },
    { priority: 'medium', period: 4 * HOUR, label: '4 h' },
    { priority: 'low', period: 24 * HOUR, label: '24 h' },
  ])(
    'when a $priority ticket sees no staff activity, then it escalates after $label and not a second before',
    async ({ priority, period }) => {
      const fake = fakeActivities();
      await withWorker(sla, fake, async (tq) => {
        const t = await startTicket(sla.env, tq, { priority });
        await armed(t);
        await sleepUntil(sla.env, t.t0 + period - 1000);
        expect((await t.view()).escalationLevel).toBe(0);
        const e = await crossDeadline(fake, t, period, isLevel(1));
        expect(e).toMatchObject({ clock: 'periodic_update', cycle: 1, actorId: null });
        expect(fake.effectsOf(t.workflowId).map((x) => x.kind)).toEqual(['breached', 'escalated']);
        const view = await t.view();
        expect(view.escalationLevel).toBe(1);
        expect(view.nextEvent).toMatchObject({ kind: 'escalated', level: 2, at: t.at(2 * period) });
      });
    },
  );

  it('when a high ticket stays untouched, then it escalates again each further hour up to level 3 and no further', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await crossDeadline(fake, t, HOUR, isLevel(1));
      await crossDeadline(fake, t, 2 * HOUR, isLevel(2));
      await crossDeadline(fake, t, 3 * HOUR, isLevel(3));
      await sleepUntil(sla.env, t.t0 + 30 * HOUR);
      expect(escalations(fake, t).map((e) => e.key)).toEqual(
        [1, 2, 3].map((level) => `${t.workflowId}:periodic_update:1:${level}`),
      );
      expect((await t.view()).nextEvent).toBeNull();
    });
  });
});

describe('ticketSlaWorkflow: status changes', () => {
  it('when a ticket is resolved before its deadline, then every timer is cancelled and nothing escalates, even hours later', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 30 * MIN);
      await t.signal(t.next(30 * MIN, { status: 'resolved', staffActivity: true }));
      const fulfilled = await expectOnTime(fake, t, 30 * MIN, (e) => e.kind === 'fulfilled');
      expect(fulfilled).toMatchObject({ clock: 'periodic_update', met: true, elapsedMs: 30 * MIN });
      expect(await openTimers(t)).toEqual([]);

      await sleepUntil(sla.env, t.t0 + 48 * HOUR);
      expect(fake.effectsOf(t.workflowId).map((e) => e.kind)).toEqual(['fulfilled']);
      const view = await t.view();
      expect(view).toMatchObject({ status: 'resolved', finished: true, escalationLevel: 0, nextEvent: null });
      // Resolved is not the end: a reopen would continue this run.
      expect((await t.handle.describe()).status.name).toBe('RUNNING');

      await t.signal(t.next(48 * HOUR, { status: 'closed', staffActivity: true }));
      expect(await t.handle.result()).toMatchObject({ status: 'closed', finished: true });
      expect(fake.effectsOf(t.workflowId).map((e) => e.kind)).toEqual(['fulfilled']);
    });
  });

  it('when a ticket waits on the customer, then its clock stands still and resumes with the time accrued', async () => {
    const policy = customPolicy(
      'resolution-2h',
      {
        periodic_update: { targetsMs: everyPriority(null) },
        resolution: { targetsMs: everyPriority(2 * HOUR) },
      },
      [rung('resolution', 1, 0, [])],
    );
    const fake = fakeActivities(policy);
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 30 * MIN);
      await t.signal(t.next(30 * MIN, { status: 'pending', staffActivity: true }));

      await sleepUntil(sla.env, t.t0 + 3 * HOUR);
      expect(resolutionClock(await t.viewAt(3 * HOUR))).toMatchObject({
        state: 'paused',
        paused: true,
        elapsedMs: 30 * MIN,
        pausedMs: 2.5 * HOUR,
        dueAt: null,
      });
      expect(fake.effectsOf(t.workflowId)).toEqual([]);

      await sleepUntil(sla.env, t.t0 + 3.5 * HOUR);
      await t.signal(t.next(3.5 * HOUR, { status: 'open' }));
      await waitFor(async () => resolutionClock(await t.view()).state === 'running');
      expect(resolutionClock(await t.viewAt(3.5 * HOUR))).toMatchObject({
        elapsedMs: 30 * MIN,
        pausedMs: 3 * HOUR,
        dueAt: t.at(5 * HOUR),
      });
      const breach = await crossDeadline(fake, t, 5 * HOUR, (e) => e.kind === 'breached');
      expect(breach).toMatchObject({ clock: 'resolution', cycle: 1 });
      await expectOnTime(fake, t, 5 * HOUR, isLevel(1));
    });
  });
});

describe('ticketSlaWorkflow: policies', () => {
  it('when the priority changes, then the policy is resolved again and the running clock is retargeted', async () => {
    const urgent = customPolicy('urgent', {
      periodic_update: {
        targetsMs: { ...defaultPolicy(null).clocks.periodic_update.targetsMs, high: 90 * MIN },
      },
    });
    const fake = fakeActivities((request) => (request.priority === 'high' ? urgent : defaultPolicy(null)));
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'low' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 30 * MIN);
      await t.signal(t.next(30 * MIN, { priority: 'high' }));
      await waitFor(async () => (await t.view()).policy.name === 'urgent');
      expect(fake.policyRequests.map((r) => r.priority)).toEqual(['low', 'high']);
      const view = await t.view();
      expect(view.clocks.find((c) => c.clock === 'periodic_update')).toMatchObject({
        targetMs: 90 * MIN,
        dueAt: t.at(90 * MIN),
      });
      // The default's 1 h for high would fire at 60 min; the retargeted clock kept its 30 min.
      const e = await crossDeadline(fake, t, 90 * MIN, isLevel(1));
      expect(e).toMatchObject({ reason: 'no staff activity for 1h30m (target 1h30m)' });
    });
  });

  it('when a policy has three levels, then they fire in order at their offsets with their actions', async () => {
    const policy = customPolicy(
      'tiered',
      {
        periodic_update: { targetsMs: everyPriority(null) },
        resolution: { targetsMs: everyPriority(HOUR) },
      },
      [
        rung('resolution', 1, 0, [{ type: 'notify', userIds: ['u-lead'], roles: [] }]),
        rung('resolution', 2, 30 * MIN, [{ type: 'notify', userIds: [], roles: ['admin'] }]),
        rung('resolution', 3, 2 * HOUR, [
          { type: 'reassign', assigneeId: 'u-manager' },
          { type: 'raise_priority', to: 'critical' },
        ]),
      ],
    );
    const fake = fakeActivities(policy);
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'medium' });
      await armed(t);
      await crossDeadline(fake, t, HOUR, isLevel(1));
      await crossDeadline(fake, t, 90 * MIN, isLevel(2));
      await crossDeadline(fake, t, 3 * HOUR, isLevel(3));
      expect(
        escalations(fake, t).map((e) => (e.kind === 'escalated' ? [e.level, e.at, e.actions] : null)),
      ).toEqual([
        [1, t.at(HOUR), [{ type: 'notify', userIds: ['u-lead'], roles: [] }]],
        [2, t.at(90 * MIN), [{ type: 'notify', userIds: [], roles: ['admin'] }]],
        [
          3,
          t.at(3 * HOUR),
          [
            { type: 'reassign', assigneeId: 'u-manager' },
            { type: 'raise_priority', to: 'critical' },
          ],
        ],
      ]);
      expect((await t.view()).escalationLevel).toBe(3);
    });
  });

  it('when a warning threshold is set, then the warning fires at that share of the target, before the breach', async () => {
    const policy = customPolicy('warn-75', { periodic_update: { warningPercents: [75] } });
    const fake = fakeActivities(policy);
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      const warning = await crossDeadline(fake, t, 45 * MIN, (e) => e.kind === 'warning');
      expect(warning).toMatchObject({ clock: 'periodic_update', percent: 75, dueAt: t.at(HOUR) });
      await crossDeadline(fake, t, HOUR, (e) => e.kind === 'breached');
      expect(fake.effectsOf(t.workflowId).map((e) => e.kind)).toEqual(['warning', 'breached', 'escalated']);
    });
  });
});

describe('ticketSlaWorkflow: messages', () => {
  it('when ticket events come twice or out of order, then the effects are the same as without them', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const clean = await startTicket(sla.env, tq, { priority: 'high' });
      const noisy = await startTicket(sla.env, tq, { priority: 'high' });
      // The same story for both tickets, at the same offsets after their creation.
      const story = (t: TicketDriver) => [
        t.next(10 * MIN, { staffActivity: true, firstPublicStaffReply: true }),
        t.next(20 * MIN, { priority: 'medium' }),
        t.next(50 * MIN, { status: 'pending', staffActivity: true }),
        t.next(70 * MIN, { status: 'open' }),
      ];
      const [c, n] = [story(clean), story(noisy)];
      const deliveries: [number, number[]][] = [
        [10 * MIN, [0, 0]],
        [20 * MIN, [1, 0]],
        [50 * MIN, [2, 1, 2]],
        [70 * MIN, [3, 3]],
      ];
      for (const [i, [offset, noisyOrder]] of deliveries.entries()) {
        await sleepUntil(sla.env, noisy.t0 + offset);
        await clean.signal(at(c, i));
        for (const j of noisyOrder) await noisy.signal(at(n, j));
      }
      // A redelivered ticket.created: signal-with-start on the running workflow.
      await noisy.signalWithStart(noisy.created);
      await sleepUntil(sla.env, noisy.t0 + 20 * HOUR);
      await waitFor(() => escalations(fake, clean).length === 3 && escalations(fake, noisy).length === 3);

      const normalized = (t: TicketDriver) =>
        fake.effectsOf(t.workflowId).map(({ scheduledAt: _, ...e }) => ({
          ...e,
          key: e.key.replace(t.workflowId, 'wf'),
          at: Date.parse(e.at) - t.t0,
        }));
      expect(normalized(noisy)).toEqual(normalized(clean));
      expect(normalized(clean).map((e) => `${e.kind}:${e.clock}@${e.at / MIN}m`)).toEqual([
        'fulfilled:periodic_update@10m',
        'fulfilled:periodic_update@50m',
        'breached:periodic_update@310m',
        'escalated:periodic_update@310m',
        'escalated:periodic_update@550m',
        'escalated:periodic_update@790m',
      ]);
      expect(fake.policyRequests).toHaveLength(4);
    });
  });

  it('when a signal carries a malformed instant, then it is dropped and the workflow goes on', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 10 * MIN);
      await t.signal({ ...t.next(10 * MIN, { staffActivity: true }), at: 'yesterday' });
      await t.escalate({ at: 'soon', reason: 'x', actorId: 'u-admin', key: 'req-bad' });
      await t.signal(t.next(20 * MIN, { staffActivity: true }));
      // The valid event restarted the period at 20 min; the dropped ones changed nothing.
      await crossDeadline(fake, t, 80 * MIN, isLevel(1));
      expect(
        fake.effectsOf(t.workflowId).map((e) => `${e.kind}@${(Date.parse(e.at) - t.t0) / MIN}m`),
      ).toEqual(['fulfilled@20m', 'breached@80m', 'escalated@80m']);
    });
  });

  it('when an admin escalates manually, then the level rises once per request key and automatic steps continue from it', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 10 * MIN);
      const request = { at: t.at(10 * MIN), reason: 'VIP customer', actorId: 'u-admin', key: 'req-1' };
      await t.escalate(request);
      await t.escalate(request);
      await t.escalate({ ...request, key: 'req-2', reason: 'still waiting' });
      await waitFor(() => escalations(fake, t).length === 2);
      await sleepUntil(sla.env, t.t0 + 5 * HOUR);
      expect(escalations(fake, t).map((e) => [e.clock, e.kind === 'escalated' && e.level, e.key])).toEqual([
        ['manual', 1, `${t.workflowId}:manual:req-1:1`],
        ['manual', 2, `${t.workflowId}:manual:req-2:2`],
        ['periodic_update', 3, `${t.workflowId}:periodic_update:1:3`],
      ]);
      expect((await t.view()).escalationLevel).toBe(3);
    });
  });

  it('when signal-with-start meets a running workflow, then it only signals it', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 30 * MIN);
      const again = await t.signalWithStart(t.next(30 * MIN, { staffActivity: true, status: 'in_progress' }));
      expect(again.signaledRunId).toBe(t.firstRunId);
      await waitFor(async () => (await t.view()).status === 'in_progress');
      expect(fake.policyRequests).toHaveLength(1);
      // The staff activity restarted the period: the first escalation moves from 60 to 90 min.
      await crossDeadline(fake, t, 90 * MIN, isLevel(1));
      expect((await t.handle.describe()).runId).toBe(t.firstRunId);
    });
  });

  it('when the history grows past its limit, then the workflow continues as new with its state', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high', maxHistoryEvents: 30 });
      await armed(t);
      await sleepUntil(sla.env, t.t0 + 5 * MIN);
      await t.escalate({ at: t.at(5 * MIN), reason: 'asked', actorId: 'u-admin', key: 'req-1' });
      for (const minutes of [10, 20]) {
        await sleepUntil(sla.env, t.t0 + minutes * MIN);
        await t.signal(t.next(minutes * MIN, { staffActivity: true }));
      }
      await waitFor(async () => (await t.handle.describe()).runId !== t.firstRunId, {
        description: 'a new run',
      });
      const first = await sla.env.client.workflow.getHandle(t.workflowId, t.firstRunId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');

      // The new run kept the level (1), the cycle (3, after two staff activities) and the policy.
      const e = await crossDeadline(fake, t, 80 * MIN, isLevel(2));
      expect(e.key).toBe(`${t.workflowId}:periodic_update:3:2`);
      expect(fake.policyRequests).toHaveLength(1);
      const keys = fake.effectsOf(t.workflowId).map((x) => x.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(fake.effectsOf(t.workflowId).map((x) => x.kind)).toEqual([
        'escalated',
        'fulfilled',
        'fulfilled',
        'breached',
        'escalated',
      ]);
    });
  });
});

function at<T>(list: T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

function resolutionClock(view: Awaited<ReturnType<TicketDriver['view']>>) {
  const clock = view.clocks.find((c) => c.clock === 'resolution');
  if (!clock) throw new Error('no resolution clock in the view');
  return clock;
}

/** Timers started in the workflow's history that neither fired nor were cancelled. */
async function openTimers(t: TicketDriver): Promise<string[]> {
  const events = (await t.handle.fetchHistory()).events ?? [];
  const open = new Set<string>();
  for (const e of events) {
    const started = e.timerStartedEventAttributes?.timerId;
    if (started) open.add(started);
    const ended = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
    if (ended) open.delete(ended);
  }
  return [...open];
}
