import { waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketViewDoc } from '../src/infra/ticket-view.model.ts';
import { slaViewQuery, slaWorkflowId } from '../src/workflows/contract.ts';
import { as, type Sla, startSla } from './harness.ts';
import { categoryCreated, ticketStory } from './ticket-stories.ts';

let t: Sla;

beforeAll(async () => {
  t = await startSla();
});
afterAll(async () => {
  await t?.close();
});

const handleOf = (ticketId: string) => t.client.workflow.getHandle(slaWorkflowId(ticketId));
const viewOf = (ticketId: string) => handleOf(ticketId).query(slaViewQuery, new Date().toISOString());
const readModel = (ticketId: string) =>
  t.store.conn.collection<TicketViewDoc>('sla_tickets').findOne({ _id: ticketId });

describe('ticket events consumer', () => {
  it('when ticket.created arrives, then the ticket SLA workflow runs on the task queue of this deployment', async () => {
    const customer = await t.user('user');
    const story = ticketStory(customer, { priority: 'high' });
    await t.publish(story.created());

    const described = await waitFor(() => handleOf(story.ticket.id).describe(), {
      description: 'the workflow started',
    });
    expect(described.type).toBe('ticketSlaWorkflow');
    expect(described.taskQueue).toBe(t.config.SLA_TASK_QUEUE);
    expect(described.status.name).toBe('RUNNING');
    const view = await waitFor(() => viewOf(story.ticket.id), { description: 'the SLA view' });
    expect(view).toMatchObject({ ticketId: story.ticket.id, orgId: customer.orgId, priority: 'high' });
    // System A: a high ticket with no staff activity escalates after an hour.
    const periodic = view.clocks.find((c) => c.clock === 'periodic_update');
    expect(periodic).toMatchObject({ state: 'running', targetMs: 3_600_000 });
  });

  it('when later events arrive, then they reach the workflow as signals and the read model follows them', async () => {
    const customer = await t.user('user');
    const agent = await t.user('agent', customer.orgId);
    const story = ticketStory(customer);
    await t.publish(story.created());
    await t.publish(story.assigned(agent, agent.id, 'manual'));
    await t.publish(story.statusChanged(agent, 'pending'));

    const view = await waitFor(
      async () => {
        const v = await viewOf(story.ticket.id);
        return v.status === 'pending' && v;
      },
      { description: 'the workflow saw the status change' },
    );
    // Staff activity (the assignment, then the status change) started a new periodic_update cycle each.
    const periodic = view.clocks.find((c) => c.clock === 'periodic_update');
    expect(periodic).toMatchObject({ cycle: 3, state: 'paused' });
    const stored = await readModel(story.ticket.id);
    expect(stored).toMatchObject({
      orgId: customer.orgId,
      requesterId: customer.id,
      assigneeId: agent.id,
      status: 'pending',
      priority: 'medium',
      sequence: 3,
    });
  });

  it('when an event arrives again or out of order, then neither the read model nor the workflow goes back', async () => {
    const customer = await t.user('user');
    const agent = await t.user('agent', customer.orgId);
    const story = ticketStory(customer);
    const created = story.created();
    const assigned = story.assigned(agent, agent.id, 'manual');
    await t.publish(created);
    await t.publish(assigned);
    await waitFor(async () => (await readModel(story.ticket.id))?.sequence === 2, {
      description: 'the assignment applied',
    });

    await t.publish(created);
    await t.publish(assigned);
    const resolved = story.statusChanged(agent, 'resolved');
    await t.publish(resolved);
    const view = await waitFor(
      async () => {
        const v = await viewOf(story.ticket.id);
        return v.status === 'resolved' && v;
      },
      { description: 'the resolve signalled' },
    );
    expect(view.finished).toBe(true);
    const stored = await readModel(story.ticket.id);
    expect(stored).toMatchObject({ status: 'resolved', assigneeId: agent.id, sequence: 3 });
    // The old copies came before the resolve on the same queue: none of them reopened anything.
    expect((await viewOf(story.ticket.id)).clocks.find((c) => c.clock === 'periodic_update')?.cycle).toBe(2);
  });

  it('when the ticket is closed, then the workflow completes and a late copy of an event does not start it again', async () => {
    const customer = await t.user('user');
    const admin = await t.user('admin', customer.orgId);
    const story = ticketStory(customer);
    const created = story.created();
    const closed = story.statusChanged(admin, 'closed');
    await t.publish(created);
    await t.publish(closed);
    const completed = await waitFor(
      async () => {
        const d = await handleOf(story.ticket.id).describe();
        return d.status.name === 'COMPLETED' && d;
      },
      { description: 'the workflow completed' },
    );

    // An event from before the closing is dropped by the read model; the closing event itself
    // reaches Temporal, which refuses to start a completed workflow again.
    await t.publish(created);
    await t.publish(closed);
    const outcomes = await waitFor(
      () => {
        const mine = t.logs.filter((l) => l.includes('after the SLA ended') && l.includes(story.ticket.id));
        return mine.length === 2 && mine.map((l) => JSON.parse(l).outcome);
      },
      { description: 'both late events handled' },
    );
    expect(outcomes).toEqual(['stale_after_end', 'ended']);
    const after = await handleOf(story.ticket.id).describe();
    expect(after.runId).toBe(completed.runId);
    expect(after.status.name).toBe('COMPLETED');
  });

  it('when a ticket of an org this runtime does not follow arrives, then it starts no workflow', async () => {
    const stranger = { id: 'u-stranger', orgId: 'org-not-ours', role: 'user' as const, token: '' };
    const foreign = ticketStory(stranger);
    const customer = await t.user('user');
    const ours = ticketStory(customer);
    await t.publish(foreign.created());
    await t.publish(ours.created());
    await waitFor(() => handleOf(ours.ticket.id).describe(), { description: 'our workflow started' });
    await expect(handleOf(foreign.ticket.id).describe()).rejects.toThrow(/not found/i);
  });
});

describe('category events consumer', () => {
  it("when a ticket has a category with default SLA hours, then its resolution target is the category's", async () => {
    const customer = await t.user('user');
    const category = categoryCreated(customer.orgId, 8);
    await t.publish(category);
    await waitFor(() => t.store.categories.defaultSlaHours(customer.orgId, category.data.category.id), {
      description: 'the category recorded',
    });
    const story = ticketStory(customer, { categoryId: category.data.category.id });
    await t.publish(story.created());

    const reply = await waitFor(
      async () => {
        const r = await as(t, customer).get(`/api/tickets/${story.ticket.id}/sla/`);
        return r.status === 200 && r;
      },
      { description: 'the SLA readable' },
    );
    const resolution = reply.body.clocks.find((c: { clock: string }) => c.clock === 'resolution');
    expect(resolution).toMatchObject({ state: 'running', target_seconds: 8 * 3600 });
  });

  it('when a category is of another org, then its hours are not used', async () => {
    const customer = await t.user('user');
    const category = categoryCreated(t.org(), 8);
    await t.publish(category);
    await waitFor(() => t.store.categories.defaultSlaHours(category.orgId, category.data.category.id), {
      description: 'the category recorded',
    });
    expect(await t.store.categories.defaultSlaHours(customer.orgId, category.data.category.id)).toBeNull();
    const policy = await t.activities.resolvePolicy({
      orgId: customer.orgId,
      ticketId: 't-1',
      priority: 'low',
      categoryId: category.data.category.id,
      fields: {},
    });
    expect(policy.clocks.resolution.targetsMs.low).toBeNull();
  });
});
