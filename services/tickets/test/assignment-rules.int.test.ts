import { TicketAssignedEventSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, collectTicketEvents, type Reply, startTickets, type TestUser, type Tickets } from './harness.ts';

let t: Tickets;
let events: EventCollector;
beforeAll(async () => {
  t = await startTickets();
  events = await collectTicketEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

const RULES = '/api/assignment-rules/';

function expectStatus(r: Reply, status: number): Reply {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r;
}

/** A fresh org with an admin, three agents and a customer, all known to the service. */
async function org(on: Tickets = t) {
  const orgId = `org-rules-${uuidv7()}`;
  const admin = await on.user('admin', orgId);
  const agents = [
    await on.user('agent', orgId),
    await on.user('agent', orgId),
    await on.user('agent', orgId),
  ];
  const customer = await on.user('user', orgId);
  return { orgId, admin, agents: agents as [TestUser, TestUser, TestUser], customer };
}

async function addRule(admin: TestUser, body: Record<string, unknown>, on: Tickets = t) {
  return expectStatus(await as(on, admin).post(RULES, body), 201).body;
}

const roundRobin = (name: string, agents: TestUser[], extra: Record<string, unknown> = {}) => ({
  name,
  strategy: { type: 'round_robin', agent_ids: agents.map((a) => a.id) },
  ...extra,
});
const named = (name: string, agent: TestUser, extra: Record<string, unknown> = {}) => ({
  name,
  strategy: { type: 'agent', agent_id: agent.id },
  ...extra,
});

async function openTicket(who: TestUser, body: Record<string, unknown> = {}, on: Tickets = t) {
  return expectStatus(await as(on, who).post('/api/tickets/', { title: 'Something broke', ...body }), 201)
    .body;
}

/** A category of the org, made through the categories API. */
async function category(admin: TestUser, name: string): Promise<string> {
  return expectStatus(await as(t, admin).post('/api/categories/', { name }), 201).body.id;
}

/** identity's later `user.updated`, as the users consumer would record it. */
async function deactivate(u: TestUser) {
  await t.store.users.record(
    {
      id: u.id,
      orgId: u.orgId,
      username: `gone-${u.id}`,
      email: `${u.id}@example.com`,
      firstName: 'Gone',
      lastName: 'Agent',
      role: u.role,
      active: false,
    },
    2,
  );
}

describe('/api/assignment-rules/ CRUD', () => {
  it('when an admin creates, reads, lists, patches and deletes a rule, then each answer and the stored rule are right', async () => {
    const { admin, agents, orgId } = await org();
    const created = expectStatus(
      await as(t, admin).post(RULES.slice(0, -1), {
        name: '  VIP desk ',
        conditions: { priority: ['high', 'critical'], condition: { field: 'tags', contains: 'vip' } },
        strategy: { type: 'round_robin', agent_ids: [agents[0].id, agents[1].id] },
      }),
      201,
    );
    expect(created.body).toMatchObject({
      org_id: orgId,
      name: 'VIP desk',
      position: 1,
      active: true,
      conditions: {
        priority: ['high', 'critical'],
        category: null,
        condition: { field: 'tags', contains: 'vip' },
      },
      strategy: { type: 'round_robin', agent_ids: [agents[0].id, agents[1].id] },
    });
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`${RULES}${id}/`);
    expect((await t.deps.rules.find(orgId, id))?.strategy).toEqual({
      type: 'round_robin',
      agentIds: [agents[0].id, agents[1].id],
    });

    expect(expectStatus(await as(t, admin).get(`${RULES}${id}`), 200).body).toEqual(created.body);
    const second = await addRule(admin, named('Fallback', agents[2]));
    expect(second.position).toBe(2);

    const patched = expectStatus(
      await as(t, admin).patch(`${RULES}${id}/`, {
        name: 'VIP',
        conditions: { priority: null },
        active: false,
      }),
      200,
    );
    expect(patched.body).toMatchObject({
      name: 'VIP',
      active: false,
      conditions: { priority: null, category: null, condition: { field: 'tags', contains: 'vip' } },
      strategy: created.body.strategy,
    });
    expect((await t.deps.rules.find(orgId, id))?.conditions.priorities).toBeNull();

    expectStatus(await as(t, admin).delete(`${RULES}${id}`), 204);
    expectStatus(await as(t, admin).get(`${RULES}${id}/`), 404);
    expectStatus(await as(t, admin).delete(`${RULES}${id}/`), 404);
    expect(await t.deps.rules.find(orgId, id)).toBeNull();
    const list = expectStatus(await as(t, admin).get(RULES), 200).body;
    expect(list.results.map((r: { id: string }) => r.id)).toEqual([second.id]);
  });

  it('when rules are listed, then they come by position a page at a time, with the limit clamped', async () => {
    const { admin, agents } = await org();
    const c = await addRule(admin, named('C', agents[0], { position: 30 }));
    const a = await addRule(admin, named('A', agents[0], { position: 10 }));
    const b = await addRule(admin, named('B', agents[0], { position: 20 }));
    const b2 = await addRule(admin, named('B2', agents[0], { position: 20 }));
    const first = expectStatus(await as(t, admin).get(`${RULES}?limit=2`), 200).body;
    expect(first.results.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
    const rest = expectStatus(await as(t, admin).get(`${RULES}?limit=2&cursor=${first.next}`), 200).body;
    expect(rest.results.map((r: { id: string }) => r.id)).toEqual([b2.id, c.id]);
    expect(rest.next).toBeNull();
    const all = expectStatus(await as(t, admin).get(`${RULES}?limit=100000`), 200).body;
    expect(all.results).toHaveLength(4);
    const bad = expectStatus(await as(t, admin).get(`${RULES}?cursor=not-ours`), 400).body;
    expect(bad.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
  });

  it('when agents, customers and another org call, then agents only read, customers get 403 and org B sees nothing', async () => {
    const { admin, agents, customer } = await org();
    const other = await org();
    const rule = await addRule(admin, named('Mine', agents[0]));
    const path = `${RULES}${rule.id}/`;
    const agent = as(t, agents[1]);

    expect(expectStatus(await agent.get(RULES), 200).body.results).toHaveLength(1);
    expect(expectStatus(await agent.get(path), 200).body.id).toBe(rule.id);
    expectStatus(await agent.post(`${RULES}dry-run/`, { title: 'x' }), 200);
    for (const r of [
      await agent.post(RULES, named('Nope', agents[1])),
      await agent.patch(path, { name: 'Hijacked' }),
      await agent.delete(path),
    ]) {
      expect(expectStatus(r, 403).body.code).toBe('ASSIGNMENT_RULE_FORBIDDEN');
    }

    const cust = as(t, customer);
    for (const r of [
      await cust.get(RULES),
      await cust.get(path),
      await cust.post(RULES, named('Nope', agents[1])),
      await cust.patch(path, { name: 'Hijacked' }),
      await cust.delete(path),
      await cust.post(`${RULES}dry-run/`, { title: 'x' }),
    ]) {
      expectStatus(r, 403);
    }

    const stranger = as(t, other.admin);
    expect(expectStatus(await stranger.get(RULES), 200).body.results).toEqual([]);
    for (const r of [
      await stranger.get(path),
      await stranger.patch(path, { name: 'Hijacked' }),
      await stranger.delete(path),
    ]) {
      expect(expectStatus(r, 404).body.code).toBe('ASSIGNMENT_RULE_NOT_FOUND');
    }
    expectStatus(await as(t, admin).get(`${RULES}no-such-rule/`), 404);
    expect(expectStatus(await as(t, admin).get(path), 200).body).toEqual(rule);
  });

  it('when a rule names inactive, foreign or customer agents, unknown categories or fields, then 400 lists the fields', async () => {
    const { admin, agents, customer, orgId } = await org();
    const other = await org();
    await deactivate(agents[2]);
    const reply = expectStatus(
      await as(t, admin).post(RULES, {
        name: 'Bad',
        conditions: { category: [await category(admin, 'Hardware'), 'no-such-category'] },
        strategy: {
          type: 'least_loaded',
          agent_ids: [agents[0].id, agents[2].id, customer.id, other.agents[0].id],
        },
      }),
      400,
    );
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'strategy.agent_ids.1',
      'strategy.agent_ids.2',
      'strategy.agent_ids.3',
      'conditions.category.1',
    ]);

    const cases: [Record<string, unknown>, string][] = [
      [named('', agents[0]), 'name'],
      [{ name: 'x' }, 'strategy'],
      [{ name: 'x', strategy: { type: 'agent', agent_id: agents[2].id } }, 'strategy.agent_id'],
      [{ name: 'x', strategy: { type: 'round_robin', agent_ids: [] } }, 'strategy.agent_ids'],
      [roundRobin('x', [agents[0], agents[0]]), 'strategy.agent_ids'],
      [{ name: 'x', strategy: { type: 'fastest', agent_ids: [agents[0].id] } }, 'strategy.type'],
      [named('x', agents[0], { conditions: { priority: ['urgent'] } }), 'conditions.priority.0'],
      [
        named('x', agents[0], { conditions: { condition: { field: 'salary', equals: 1 } } }),
        'conditions.condition',
      ],
      [
        named('x', agents[0], { conditions: { condition: { field: 'tags', has: 'vip' } } }),
        'conditions.condition',
      ],
      [named('x', agents[0], { org_id: other.orgId }), 'org_id'],
      [named('x', agents[0], { position: -1 }), 'position'],
    ];
    for (const [body, path] of cases) {
      const r = expectStatus(await as(t, admin).post(RULES, body), 400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(expectStatus(await as(t, admin).get(RULES), 200).body.results).toEqual([]);

    const rule = await addRule(admin, named('Good', agents[0]));
    const patch = expectStatus(
      await as(t, admin).patch(`${RULES}${rule.id}/`, {
        strategy: { type: 'agent', agent_id: agents[2].id },
      }),
      400,
    );
    expect(patch.body.errors).toEqual([
      { path: 'strategy.agent_id', message: expect.stringMatching(/active agent/) },
    ]);
    expect((await t.deps.rules.find(orgId, rule.id))?.strategy).toEqual({
      type: 'agent',
      agentId: agents[0].id,
    });
  });
});

describe('auto-assignment on POST /api/tickets/', () => {
  it('when rules match, then the first in order assigns: status assigned, assigned_to, and a ticket.assigned event via the rule', async () => {
    const { admin, agents, customer, orgId } = await org();
    const critical = await addRule(
      admin,
      named('Critical', agents[0], { conditions: { priority: ['critical'] } }),
    );
    const everything = await addRule(admin, named('Everything', agents[1]));
    await addRule(admin, named('Never reached', agents[2]));

    const urgent = await openTicket(admin, { priority: 'critical', created_by: customer.id });
    const plain = await openTicket(customer);
    expect(urgent).toMatchObject({ status: 'assigned', assigned_to: agents[0].id, version: 3 });
    // Opening and its assignment are one change for the customer: their version is 1.
    expect(plain).toMatchObject({ status: 'assigned', assigned_to: agents[1].id, version: 1 });
    expect((await t.deps.tickets.find(orgId, plain.id))?.version).toBe(3);

    const seen = await events.waitFor(
      (e) => e.routingKey === 'ticket.assigned' && e.body.aggregateId === plain.id,
    );
    const assigned = TicketAssignedEventSchema.parse(seen.body);
    expect(assigned).toMatchObject({
      sequence: 2,
      data: { via: 'rule', ruleId: everything.id, previousAssigneeId: null },
    });
    // The assignment's own snapshot; the status change (open → assigned) is the next event.
    expect(assigned.data.ticket).toMatchObject({ status: 'open', assigneeId: agents[1].id, version: 2 });
    const first = await events.waitFor(
      (e) => e.routingKey === 'ticket.assigned' && e.body.aggregateId === urgent.id,
    );
    expect(TicketAssignedEventSchema.parse(first.body).data.ruleId).toBe(critical.id);
    const created = await events.waitFor(
      (e) => e.routingKey === 'ticket.created' && e.body.aggregateId === plain.id,
    );
    expect(created.body.sequence).toBe(1);
    const moved = await events.waitFor(
      (e) => e.routingKey === 'ticket.status_changed' && e.body.aggregateId === plain.id,
    );
    expect(moved.body).toMatchObject({
      sequence: 3,
      data: { from: 'open', to: 'assigned', reopened: false },
    });
    const stored = await t.deps.tickets.find(orgId, plain.id);
    expect(stored).toMatchObject({ status: 'assigned', assigneeId: agents[1].id });
  });

  it('when rules test categories and JSON conditions, then only matching tickets are assigned', async () => {
    const { admin, agents, customer } = await org();
    const hardware = await category(admin, 'Hardware');
    const network = await category(admin, 'Network');
    await addRule(admin, named('Hardware', agents[0], { conditions: { category: [hardware] } }));
    await addRule(
      admin,
      named('VIP customers', agents[1], {
        conditions: {
          condition: {
            and: [
              { field: 'tags', contains: 'vip' },
              { field: 'requesterRole', equals: 'user' },
            ],
          },
        },
      }),
    );
    await addRule(admin, named('Inactive catch-all', agents[2], { active: false }));

    expect(await openTicket(customer, { category: hardware, tags: ['VIP'] })).toMatchObject({
      assigned_to: agents[0].id,
    });
    expect(await openTicket(customer, { category: network, tags: ['VIP'] })).toMatchObject({
      assigned_to: agents[1].id,
    });
    expect(await openTicket(admin, { tags: ['vip'] })).toMatchObject({ status: 'open', assigned_to: null });
    const none = await openTicket(customer, { category: network, tags: ['printer'] });
    expect(none).toMatchObject({ status: 'open', assigned_to: null, version: 1 });
  });

  it('when a rule yields no active agent, then its inactive agents are skipped and the next rule assigns', async () => {
    const { admin, agents, customer, orgId } = await org();
    const gone = await t.user('agent', orgId);
    const alsoGone = await t.user('agent', orgId);
    await addRule(admin, named('Named', gone));
    await addRule(admin, roundRobin('Empty group', [alsoGone]));
    const group = await addRule(admin, roundRobin('Group', [agents[0], gone, agents[1]]));
    await deactivate(gone);
    await deactivate(alsoGone);

    const picks = [];
    for (let i = 0; i < 4; i++) picks.push((await openTicket(customer)).assigned_to);
    expect(picks).toEqual([agents[0].id, agents[1].id, agents[0].id, agents[1].id]);
    expect((await t.deps.rules.find(orgId, group.id))?.turns).toBe(4);
  });

  it('when 30 tickets are created at once under a round-robin rule over 3 agents, then each agent gets exactly 10', async () => {
    const { admin, agents, customer, orgId } = await org();
    const rule = await addRule(admin, roundRobin('Even split', agents));
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) => openTicket(customer, { title: `#${i}` })),
    );
    const counts = new Map<string, number>();
    for (const c of created) {
      expect(c.status).toBe('assigned');
      counts.set(c.assigned_to, (counts.get(c.assigned_to) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(agents.map((a) => [a.id, 10])));
    expect((await t.deps.rules.find(orgId, rule.id))?.turns).toBe(30);
    const load = await t.deps.tickets.activeLoad(
      orgId,
      agents.map((a) => a.id),
    );
    expect([...load.values()]).toEqual([10, 10, 10]);
  });

  it('when the service restarts, then the round-robin cursor carries on where it stopped', async () => {
    const first = await startTickets();
    let firstOpen = true;
    let second: Tickets | undefined;
    try {
      const { admin, agents, customer } = await org(first);
      await addRule(admin, roundRobin('Survives', agents), first);
      const before = [await openTicket(customer, {}, first), await openTicket(customer, {}, first)];
      expect(before.map((x) => x.assigned_to)).toEqual([agents[0].id, agents[1].id]);
      await first.close();
      firstOpen = false;

      second = await startTickets({ MONGO_URL: first.config.MONGO_URL });
      const after = [await openTicket(customer, {}, second), await openTicket(customer, {}, second)];
      expect(after.map((x) => x.assigned_to)).toEqual([agents[2].id, agents[0].id]);
    } finally {
      await second?.close();
      if (firstOpen) await first.close();
    }
  });

  it('when a least-loaded rule assigns, then the agent with the fewest active tickets wins and ties go to the first listed', async () => {
    const { admin, agents, customer } = await org();
    const give = async (agent: TestUser, status?: string) => {
      const ticket = await openTicket(customer);
      expectStatus(
        await as(t, admin).post(`/api/tickets/${ticket.id}/assign/`, { assigned_to: agent.id }),
        200,
      );
      if (status) expectStatus(await as(t, admin).post(`/api/tickets/${ticket.id}/status/`, { status }), 200);
    };
    await give(agents[0]);
    await give(agents[0], 'in_progress');
    await give(agents[1], 'pending');
    await give(agents[1], 'resolved');
    await give(agents[1], 'cancelled');
    await give(agents[2]);
    // Active loads now: 2, 1, 1 (resolved and cancelled tickets do not count).
    await addRule(admin, {
      name: 'Least loaded',
      strategy: { type: 'least_loaded', agent_ids: agents.map((a) => a.id) },
    });
    expect((await openTicket(customer)).assigned_to).toBe(agents[1].id);
    expect((await openTicket(customer)).assigned_to).toBe(agents[2].id);
    expect((await openTicket(customer)).assigned_to).toBe(agents[0].id);
  });
});

describe('POST /api/assignment-rules/dry-run/', () => {
  it('when a ticket is tried, then every rule says whether it matched and why, and the round-robin turn is not taken', async () => {
    const { admin, agents, customer, orgId } = await org();
    const gone = await t.user('agent', orgId);
    const low = await addRule(admin, named('Low only', agents[0], { conditions: { priority: ['low'] } }));
    const vip = await addRule(
      admin,
      named('VIP', agents[0], { conditions: { condition: { field: 'tags', contains: 'vip' } } }),
    );
    const off = await addRule(admin, named('Switched off', agents[0], { active: false }));
    const empty = await addRule(admin, roundRobin('Empty group', [gone]));
    const rr = await addRule(
      admin,
      roundRobin('Round robin', agents, { conditions: { priority: ['high'] } }),
    );
    const later = await addRule(admin, named('Later', agents[2]));
    await deactivate(gone);
    await openTicket(admin, { priority: 'high', created_by: customer.id });

    const tryIt = async () =>
      expectStatus(
        await as(t, agents[2]).post(`${RULES}dry-run`, {
          title: 'Hi',
          priority: 'high',
          created_by: customer.id,
        }),
        200,
      ).body;
    const verdict = await tryIt();
    expect(verdict).toMatchObject({
      rule_id: rr.id,
      agent_id: agents[1].id,
      summary: `rule "Round robin" would assign the ticket to ${agents[1].id}`,
      fields: { priority: 'high', requester: customer.id, tags: [], category: null },
    });
    expect(verdict.rules).toEqual([
      {
        rule_id: low.id,
        name: 'Low only',
        position: 1,
        outcome: 'no_match',
        matched: false,
        reasons: ['priority high not in [low]'],
        agent_id: null,
      },
      expect.objectContaining({
        rule_id: vip.id,
        outcome: 'no_match',
        reasons: ['condition (tags contains "vip") false'],
      }),
      expect.objectContaining({ rule_id: off.id, outcome: 'inactive', reasons: ['the rule is inactive'] }),
      expect.objectContaining({
        rule_id: empty.id,
        outcome: 'no_eligible_agent',
        matched: true,
        reasons: [
          'no conditions: every ticket matches',
          `no active agent in the group; skipped, not active staff: ${gone.id}`,
        ],
      }),
      expect.objectContaining({
        rule_id: rr.id,
        outcome: 'selected',
        agent_id: agents[1].id,
        reasons: ['priority high in [high]', expect.stringContaining(`${agents[1].id} is next for turn 2`)],
      }),
      expect.objectContaining({ rule_id: later.id, outcome: 'shadowed', agent_id: agents[2].id }),
    ]);

    expect((await tryIt()).agent_id).toBe(agents[1].id);
    expect((await t.deps.rules.find(orgId, rr.id))?.turns).toBe(1);
    expect((await openTicket(admin, { priority: 'high' })).assigned_to).toBe(agents[1].id);
    expect((await tryIt()).agent_id).toBe(agents[2].id);
  });

  it('when no rule would assign, or the body is bad, then the answer says so', async () => {
    const { admin, agents } = await org();
    const none = expectStatus(await as(t, admin).post(`${RULES}dry-run/`, { title: 'Hi' }), 200).body;
    expect(none).toMatchObject({
      rule_id: null,
      agent_id: null,
      rules: [],
      summary: expect.stringMatching(/no assignment rules/),
    });
    await addRule(admin, named('Critical', agents[0], { conditions: { priority: ['critical'] } }));
    const miss = expectStatus(await as(t, admin).post(`${RULES}dry-run/`, { title: 'Hi' }), 200).body;
    expect(miss).toMatchObject({ rule_id: null, summary: expect.stringMatching(/no rule would assign/) });
    expectStatus(await as(t, admin).post(`${RULES}dry-run/`, { description: 'no title' }), 400);
    expectStatus(
      await as(t, admin).post(`${RULES}dry-run/`, { title: 'x', category: 'no-such-category' }),
      404,
    );
    const stranger = expectStatus(
      await as(t, admin).post(`${RULES}dry-run/`, { title: 'x', created_by: 'u-nobody' }),
      400,
    );
    expect(stranger.body.errors).toEqual([{ path: 'created_by', message: expect.any(String) }]);
  });
});

describe('GET /openapi.json', () => {
  it('when the spec is generated, then it documents the rule routes with their condition and strategy schemas', async () => {
    const spec = expectStatus(await as(t, undefined).get('/openapi.json'), 200).body;
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([RULES, `${RULES}{id}/`, `${RULES}dry-run/`]),
    );
    expect(Object.keys(spec.paths[`${RULES}{id}/`])).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    expect(spec.components.schemas).toHaveProperty('AssignmentStrategy');
    expect(spec.components.schemas).toHaveProperty('AssignmentDryRunResult');
  });
});
