import { waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Sla, startSla, type TestUser } from './harness.ts';
import { type TicketStory, ticketStory } from './ticket-stories.ts';

/*
 * The default policy's periodic_update targets: critical 30 min, high 1 h, medium 4 h. So with
 * `within=45m` a new critical ticket is at risk and a new high one is not (yet).
 */

let t: Sla;

beforeAll(async () => {
  t = await startSla();
});
afterAll(async () => {
  await t?.close();
});

interface AtRisk {
  ticket: string;
  next_due: string;
  level: number;
}

const atRisk = async (who: TestUser, within: string): Promise<AtRisk[]> => {
  const r = await as(t, who).get(`/api/sla/at-risk/?within=${within}`);
  expect(r.status).toBe(200);
  return r.body.results;
};

/** The list once it holds every one of `stories` (the visibility store lags the workflows). */
const atRiskOnceListed = (who: TestUser, within: string, stories: TicketStory[]) =>
  waitFor(
    async () => {
      const results = await atRisk(who, within);
      const ids = results.map((r) => r.ticket);
      return stories.every((s) => ids.includes(s.ticket.id)) && results;
    },
    { description: `${stories.length} tickets listed at risk within ${within}` },
  );

const idsOf = (results: AtRisk[]) => results.map((r) => r.ticket);

async function org() {
  const customer = await t.user('user');
  const [admin, agent, otherAgent] = [
    await t.user('admin', customer.orgId),
    await t.user('agent', customer.orgId),
    await t.user('agent', customer.orgId),
  ];
  return { customer, admin, agent, otherAgent };
}

describe('GET /api/sla/at-risk/', () => {
  it('when a ticket breaches within the window, then it is listed with its due time, and one due later is not', async () => {
    const { customer, admin } = await org();
    const soon = ticketStory(customer, { priority: 'critical' });
    const later = ticketStory(customer, { priority: 'high' });
    await t.publish(soon.created());
    await t.publish(later.created());
    // Both are indexed once the wider window lists them both.
    await atRiskOnceListed(admin, '2h', [soon, later]);

    const results = await atRisk(admin, '45m');
    expect(idsOf(results)).toEqual([soon.ticket.id]);
    expect(Date.parse(results[0]?.next_due ?? '') - Date.parse(soon.ticket.createdAt)).toBe(30 * 60_000);
    expect(results[0]?.level).toBe(0);
    // Earliest first.
    expect(idsOf(await atRisk(admin, '2h'))).toEqual([soon.ticket.id, later.ticket.id]);
  });

  it('when another org has tickets at risk, then they are never listed', async () => {
    const mine = await org();
    const theirs = await org();
    const ours = ticketStory(mine.customer, { priority: 'critical' });
    const other = ticketStory(theirs.customer, { priority: 'critical' });
    await t.publish(other.created());
    await t.publish(ours.created());
    await atRiskOnceListed(theirs.admin, '1h', [other]);
    const results = await atRiskOnceListed(mine.admin, '1h', [ours]);
    expect(idsOf(results)).toEqual([ours.ticket.id]);
  });

  it('when an agent asks, then they see the tickets assigned to them or to nobody, and not those of other agents', async () => {
    const { customer, admin, agent, otherAgent } = await org();
    const unassigned = ticketStory(customer, { priority: 'critical' });
    const theirs = ticketStory(customer, { priority: 'critical', assigneeId: otherAgent.id });
    const mine = ticketStory(customer, { priority: 'critical', assigneeId: agent.id });
    for (const s of [unassigned, theirs, mine]) await t.publish(s.created());
    await atRiskOnceListed(admin, '1h', [unassigned, theirs, mine]);

    const seen = idsOf(await atRiskOnceListed(agent, '1h', [unassigned, mine]));
    expect(seen).not.toContain(theirs.ticket.id);
    expect(seen.sort()).toEqual([unassigned.ticket.id, mine.ticket.id].sort());
    expect(idsOf(await atRiskOnceListed(otherAgent, '1h', [unassigned, theirs]))).not.toContain(
      mine.ticket.id,
    );
  });

  it('when within is not a duration up to 7 days, then the answer is 400 and says why', async () => {
    const { admin } = await org();
    for (const within of ['30', '2w', '8d', '0m', 'soon', '-5m']) {
      const r = await as(t, admin).get(`/api/sla/at-risk/?within=${within}`);
      expect(r.status, within).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(r.body)).toContain('within');
    }
    expect((await as(t, admin).get('/api/sla/at-risk/?within=7d')).status).toBe(200);
    // The default window is 30 minutes.
    const r = await as(t, admin).get('/api/sla/at-risk');
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.due_by) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(Date.parse(r.body.due_by) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
  });

  it('when a customer or nobody asks, then the answer is 403 or 401', async () => {
    const { customer } = await org();
    expect((await as(t, customer).get('/api/sla/at-risk/')).status).toBe(403);
    expect((await as(t, undefined).get('/api/sla/at-risk/')).status).toBe(401);
  });
});
