import {
  SlaBreachedEventSchema,
  SlaFulfilledEventSchema,
  SlaWarningEventSchema,
  TicketEscalatedEventSchema,
} from '@helpdesk/contracts';
import { type EventCollector, waitFor } from '@helpdesk/testkit';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlaEffect } from '../src/domain/clocks.ts';
import type { EffectDoc } from '../src/infra/effect.model.ts';
import { slaWorkflowId } from '../src/workflows/contract.ts';
import { as, collectSlaEvents, type Sla, startSla } from './harness.ts';
import { customPolicy, everyPriority, rung } from './policies.ts';
import { ticketStory } from './ticket-stories.ts';

let t: Sla;
let events: EventCollector;

beforeAll(async () => {
  t = await startSla();
  events = await collectSlaEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

const effectDocs = (ticketId: string) =>
  t.store.conn.collection<EffectDoc>('sla_effects').find({ ticketId }).sort({ sequence: 1 }).toArray();
const eventsWithKey = (key: string) =>
  events.events.filter((e) => (e.body as { data?: { key?: string } }).data?.key === key);

/** A ticket's workflow id and effect makers, without any workflow behind them. */
function effectsFor(orgId: string) {
  const ticketId = uuidv7();
  const workflowId = slaWorkflowId(ticketId);
  const record = (effects: SlaEffect[]) =>
    t.activities.recordEffects({ orgId, ticketId, workflowId, effects });
  const escalated = (level: number, at: string, over: Partial<SlaEffect> = {}): SlaEffect =>
    ({
      kind: 'escalated',
      clock: 'periodic_update',
      cycle: 1,
      level,
      actions: [{ type: 'raise_priority' }],
      reason: 'no staff activity for 1h (target 1h)',
      actorId: null,
      at,
      key: `${workflowId}:periodic_update:1:${level}`,
      ...over,
    }) as SlaEffect;
  return { ticketId, workflowId, record, escalated };
}

describe('recordEffects', () => {
  it('when the same effects are recorded twice, then each is stored once and published once', async () => {
    const orgId = t.org();
    const { ticketId, workflowId, record, escalated } = effectsFor(orgId);
    const at = '2025-03-03T10:00:00.000Z';
    const base = { clock: 'resolution' as const, cycle: 1, at };
    const effects: SlaEffect[] = [
      {
        ...base,
        kind: 'warning',
        percent: 75,
        targetMs: 4_000,
        dueAt: at,
        key: `${workflowId}:resolution:1:warning:75`,
      },
      { ...base, kind: 'breached', targetMs: 4_000, key: `${workflowId}:resolution:1:breached` },
      escalated(1, at),
      {
        ...base,
        kind: 'fulfilled',
        met: false,
        targetMs: 4_000,
        elapsedMs: 5_000,
        pausedMs: 250,
        key: `${workflowId}:resolution:1:fulfilled`,
      },
    ];
    await record(effects);
    await record(effects);
    await record([effects[1] as SlaEffect]);
    await t.relay.drained();
    for (const e of effects)
      await events.waitFor((c) => (c.body as { data: { key: string } }).data.key === e.key);

    const docs = await effectDocs(ticketId);
    expect(docs.map((d) => [d._id, d.kind, d.sequence])).toEqual([
      [effects[0]?.key, 'warning', 1],
      [effects[1]?.key, 'breached', 2],
      [effects[2]?.key, 'escalated', 3],
      [effects[3]?.key, 'fulfilled', 4],
    ]);
    for (const e of effects) expect(eventsWithKey(e.key), e.kind).toHaveLength(1);

    const [warning, breached, escalation, fulfilled] = effects.map((e) => eventsWithKey(e.key)[0]?.body);
    expect(SlaWarningEventSchema.parse(warning)).toMatchObject({
      type: 'sla.warning',
      orgId,
      aggregateId: workflowId,
      sequence: 1,
      occurredAt: at,
      actor: { type: 'system', id: 'sla' },
      data: { ticketId, clock: 'resolution', cycle: 1, percent: 75, targetMs: 4_000, dueAt: at },
    });
    expect(SlaBreachedEventSchema.parse(breached).data).toMatchObject({ ticketId, targetMs: 4_000 });
    expect(TicketEscalatedEventSchema.parse(escalation)).toMatchObject({
      sequence: 3,
      data: {
        ticketId,
        level: 1,
        clock: 'periodic_update',
        reason: 'no staff activity for 1h (target 1h)',
        key: `${workflowId}:periodic_update:1:1`,
        actions: [{ type: 'raise_priority' }],
      },
    });
    expect(SlaFulfilledEventSchema.parse(fulfilled).data).toMatchObject({
      met: false,
      elapsedMs: 5_000,
      pausedMs: 250,
    });
  });

  it('when more effects follow, then their events continue the sequence of the workflow', async () => {
    const { ticketId, record, escalated } = effectsFor(t.org());
    await record([escalated(1, '2025-03-03T10:00:00.000Z')]);
    await record([escalated(1, '2025-03-03T10:00:00.000Z'), escalated(2, '2025-03-03T11:00:00.000Z')]);
    expect((await effectDocs(ticketId)).map((d) => d.sequence)).toEqual([1, 2]);
  });
});

describe('GET /api/sla/escalations/', () => {
  /** Two tickets of one org and one of another, escalated at known instants. */
  async function seed() {
    const orgId = t.org();
    const a = effectsFor(orgId);
    const b = effectsFor(orgId);
    const other = effectsFor(t.org());
    await a.record([a.escalated(1, '2025-03-01T10:00:00.000Z'), a.escalated(2, '2025-03-01T11:00:00.000Z')]);
    await b.record([
      b.escalated(1, '2025-03-02T10:00:00.000Z'),
      b.escalated(2, '2025-03-02T12:00:00.000Z', {
        clock: 'manual',
        cycle: 0,
        actorId: 'u-boss',
        reason: 'VIP',
        actions: [],
        key: `${b.workflowId}:manual:k:2`,
      } as Partial<SlaEffect>),
    ]);
    await other.record([other.escalated(1, '2025-03-02T10:00:00.000Z')]);
    const agent = await t.user('agent', orgId);
    const otherAgent = await t.user('agent', orgId);
    // c is another agent's: the agent does not see it.
    const c = effectsFor(orgId);
    await c.record([c.escalated(1, '2025-03-01T12:00:00.000Z')]);
    await known(a.ticketId, orgId, null);
    await known(b.ticketId, orgId, agent.id);
    await known(c.ticketId, orgId, otherAgent.id);
    return {
      agent,
      otherAgent,
      admin: await t.user('admin', orgId),
      customer: await t.user('user', orgId),
      a,
      b,
      c,
      other,
    };
  }

  /** The ticket in the sla service's read model, as its events would have put it. */
  async function known(ticketId: string, orgId: string, assigneeId: string | null) {
    const requester = await t.user('user', orgId);
    await t.deps.tickets.record({ ...ticketStory(requester, { assigneeId }).ticket, id: ticketId }, 1);
  }

  const ticketsAndLevels = (r: { body: { results: { ticket: string; level: number }[] } }) =>
    r.body.results.map((e) => [e.ticket, e.level]);

  it('when an agent lists the log, then only entries of tickets assigned to them or unassigned come back, page by page', async () => {
    const { agent, otherAgent, admin, a, b, c } = await seed();
    const first = await as(t, agent).get('/api/sla/escalations/?limit=2');
    expect(ticketsAndLevels(first)).toEqual([
      [b.ticketId, 2],
      [b.ticketId, 1],
    ]);
    const second = await as(t, agent).get(`/api/sla/escalations/?limit=2&cursor=${first.body.next}`);
    expect(ticketsAndLevels(second)).toEqual([
      [a.ticketId, 2],
      [a.ticketId, 1],
    ]);
    expect(second.body.next).toBeNull();
    expect(ticketsAndLevels(await as(t, otherAgent).get('/api/sla/escalations/'))).toEqual([
      [c.ticketId, 1],
      [a.ticketId, 2],
      [a.ticketId, 1],
    ]);
    expect((await as(t, admin).get('/api/sla/escalations/')).body.results).toHaveLength(5);
  });

  it('when an agent filters by a ticket they may not see, then the answer is 404', async () => {
    const { agent, admin, c } = await seed();
    const r = await as(t, agent).get(`/api/sla/escalations/?ticket=${c.ticketId}`);
    expect(r.status).toBe(404);
    expect(ticketsAndLevels(await as(t, admin).get(`/api/sla/escalations/?ticket=${c.ticketId}`))).toEqual([
      [c.ticketId, 1],
    ]);
  });

  it('when staff list the log, then they get their org’s escalations, newest first, page by page', async () => {
    const { agent, a, b } = await seed();
    const first = await as(t, agent).get('/api/sla/escalations/?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.results.map((e: { ticket: string; level: number }) => [e.ticket, e.level])).toEqual([
      [b.ticketId, 2],
      [b.ticketId, 1],
      [a.ticketId, 2],
    ]);
    expect(first.body.results[0]).toEqual({
      id: `${b.workflowId}:manual:k:2`,
      ticket: b.ticketId,
      level: 2,
      clock: 'manual',
      reason: 'VIP',
      actions: [],
      automatic: false,
      escalated_by: 'u-boss',
      escalated_at: '2025-03-02T12:00:00.000Z',
      recorded_at: expect.any(String),
    });
    expect(first.body.results[1]).toMatchObject({
      automatic: true,
      escalated_by: null,
      actions: [{ type: 'raise_priority', to: null }],
    });
    const second = await as(t, agent).get(`/api/sla/escalations?limit=3&cursor=${first.body.next}`);
    expect(second.body.results.map((e: { ticket: string; level: number }) => [e.ticket, e.level])).toEqual([
      [a.ticketId, 1],
    ]);
    expect(second.body.next).toBeNull();
  });

  it('when filtered by ticket and time, then only the matching entries come back', async () => {
    const { agent, a, b } = await seed();
    const byTicket = await as(t, agent).get(`/api/sla/escalations/?ticket=${a.ticketId}`);
    expect(byTicket.body.results.map((e: { level: number }) => e.level)).toEqual([2, 1]);
    const byTime = await as(t, agent).get(
      '/api/sla/escalations/?from=2025-03-01T11:00:00Z&to=2025-03-02T12:00:00Z',
    );
    expect(byTime.body.results.map((e: { ticket: string; level: number }) => [e.ticket, e.level])).toEqual([
      [b.ticketId, 1],
      [a.ticketId, 2],
    ]);
  });

  it('when the query is not valid, then the answer is 400', async () => {
    const { agent } = await seed();
    for (const q of [
      'from=yesterday',
      'from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z',
      'cursor=nonsense',
    ]) {
      const r = await as(t, agent).get(`/api/sla/escalations/?${q}`);
      expect(r.status, q).toBe(400);
    }
  });

  it('when a customer asks, then the answer is 403', async () => {
    const { customer } = await seed();
    expect((await as(t, customer).get('/api/sla/escalations/')).status).toBe(403);
  });
});

describe('an SLA under a short policy, in real time', () => {
  it('when a ticket gets no staff activity for its period, then it escalates at the deadline and the log shows it', async () => {
    const customer = await t.user('user');
    const admin = await t.user('admin', customer.orgId);
    t.usePolicy(
      customer.orgId,
      customPolicy('two-seconds', { periodic_update: { targetsMs: everyPriority(2_000) } }, [
        rung('periodic_update', 1, 0, [{ type: 'raise_priority' }]),
      ]),
    );
    const story = ticketStory(customer);
    await t.publish(story.created());

    const event = await events.waitFor(
      (e) =>
        e.routingKey === 'ticket.escalated' &&
        (e.body as { data: { ticketId: string } }).data.ticketId === story.ticket.id,
      15_000,
    );
    const escalated = TicketEscalatedEventSchema.parse(event.body);
    const deadline = Date.parse(story.ticket.createdAt) + 2_000;
    expect(escalated.data).toMatchObject({
      level: 1,
      clock: 'periodic_update',
      actions: [{ type: 'raise_priority' }],
    });
    expect(Date.parse(escalated.occurredAt)).toBe(deadline);
    const breach = await events.waitFor(
      (e) =>
        e.routingKey === 'sla.breached' &&
        (e.body as { data: { ticketId: string } }).data.ticketId === story.ticket.id,
    );
    expect(SlaBreachedEventSchema.parse(breach.body).sequence).toBeLessThan(escalated.sequence);

    const log = await waitFor(
      async () => {
        const r = await as(t, admin).get(`/api/sla/escalations/?ticket=${story.ticket.id}`);
        return r.body.results.length === 1 && r.body;
      },
      { description: 'the escalation logged' },
    );
    expect(log.results[0]).toMatchObject({
      level: 1,
      automatic: true,
      escalated_at: new Date(deadline).toISOString(),
    });
    const sla = await as(t, admin).get(`/api/tickets/${story.ticket.id}/sla/`);
    expect(sla.body).toMatchObject({ escalation_level: 1, policy: { name: 'two-seconds' } });
    expect(sla.body.clocks[1]).toMatchObject({ clock: 'periodic_update', state: 'breached' });
  });

  it('when staff act before the deadline, then nothing escalates', async () => {
    const customer = await t.user('user');
    const agent = await t.user('agent', customer.orgId);
    t.usePolicy(
      customer.orgId,
      customPolicy('two-seconds', { periodic_update: { targetsMs: everyPriority(2_000) } }, [
        rung('periodic_update', 1, 0, []),
      ]),
    );
    const story = ticketStory(customer);
    await t.publish(story.created());
    await t.publish(story.statusChanged(agent, 'resolved'));
    const fulfilled = await events.waitFor(
      (e) =>
        e.routingKey === 'sla.fulfilled' &&
        (e.body as { data: { ticketId: string; clock: string } }).data.ticketId === story.ticket.id,
    );
    expect(SlaFulfilledEventSchema.parse(fulfilled.body).data).toMatchObject({
      clock: 'periodic_update',
      met: true,
    });
    const sla = await as(t, agent).get(`/api/tickets/${story.ticket.id}/sla/`);
    expect(sla.body).toMatchObject({ finished: true, next_event: null });
    // Absence takes time to show: wait out the deadline, with a second's room for a late timer.
    const deadline = Date.parse(story.ticket.createdAt) + 2_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline + 1_000 - Date.now())));
    await t.relay.drained();
    const kinds = events.events
      .filter((e) => (e.body as { data: { ticketId: string } }).data.ticketId === story.ticket.id)
      .map((e) => e.routingKey);
    expect(kinds).not.toContain('ticket.escalated');
    expect(kinds).not.toContain('sla.breached');
    expect((await effectDocs(story.ticket.id)).map((d) => d.kind)).not.toContain('escalated');
  });
});
