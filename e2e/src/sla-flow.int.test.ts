import { setTimeout as delay } from 'node:timers/promises';
import { testServers, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClient } from './gateway-client.ts';
import { type RunningStack, startAuthStack } from './stack.ts';

// Issue 4's "must show", through the gateway against real identity, tickets and sla processes
// and the Temporal dev server: a 1-minute periodic-update policy escalates an untouched ticket
// within 5 s after its deadline, and leaves alone a ticket resolved before its own.
let stack: RunningStack;
const run = Date.now().toString(36);
const TARGET_MS = 60_000;
const MAX_LATENESS_MS = 5_000;

const { call, registerAdmin, hire } = gatewayClient(() => stack.gateway);
const hireCustomer = (adminToken: string, name: string) => hire(adminToken, 'user', name);

/** The ticket's SLA view once its workflow runs (it starts from the ticket.created event). */
function slaView(ticketId: string, token: string, ready: (view: SlaView) => boolean = () => true) {
  return waitFor(
    async () => {
      const r = await call('GET', `/api/tickets/${ticketId}/sla/`, token);
      return r.status === 200 && ready(r.body) ? (r.body as SlaView) : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100, description: `the SLA view of ${ticketId}` },
  );
}
type SlaView = {
  escalation_level: number | null;
  finished: boolean;
  policy: { id: string | null };
  clocks: Array<{ clock: string; state: string; due_at: string | null }>;
};
const periodicDue = (v: SlaView) => v.clocks.find((c) => c.clock === 'periodic_update')?.due_at ?? null;

beforeAll(async () => {
  stack = await startAuthStack(testServers(), { tickets: true, sla: true });
});

afterAll(async () => {
  await stack?.stop();
});

describe('SLA escalation through the gateway (Temporal dev server)', () => {
  it('when a ticket has no staff activity past its 1-minute target, then it escalates to level 1 within 5 s of the deadline; a ticket resolved in time never does', async () => {
    const admin = await registerAdmin(`sla${run}`);
    const customer = await hireCustomer(admin.token, `slacust_${run}`);

    const every = { low: 1, medium: 1, high: 1, critical: 1 };
    const policy = await call('POST', '/api/sla/policies/', admin.token, {
      name: 'One-minute updates',
      clocks: { periodic_update: { targets_minutes: every, calendar_id: null } },
      escalations: [{ level: 1, clock: 'periodic_update', offset_minutes: 0, actions: [] }],
    });
    expect(policy.status).toBe(201);

    // B first, so its deadline has passed by the time A's escalation shows.
    const open = async (title: string) => {
      const r = await call('POST', '/api/tickets/', customer.token, {
        title,
        description: 'Nobody has answered yet',
        priority: 'medium',
      });
      expect(r.status).toBe(201);
      return { id: r.body.id as string, createdAt: Date.parse(r.body.created_at as string) };
    };
    const b = await open('Resolved in time');
    const a = await open('Left alone');

    // B's workflow knows it before it is resolved, so "no escalation" is not "never tracked".
    const bView = await slaView(b.id, admin.token);
    expect(bView.policy.id).toBe(policy.body.id);
    const resolved = await call('POST', `/api/tickets/${b.id}/status/`, admin.token, { status: 'resolved' });
    expect(resolved.status).toBe(200);
    const bDeadline = b.createdAt + TARGET_MS;
    expect(Date.now()).toBeLessThan(bDeadline);
    const bStopped = await slaView(b.id, admin.token, (v) => v.finished);
    expect(bStopped.escalation_level).toBe(0);

    const aView = await slaView(a.id, admin.token);
    expect(aView.policy.id).toBe(policy.body.id);
    const dueAt = periodicDue(aView);
    expect(dueAt).not.toBeNull();
    const deadline = Date.parse(dueAt as string);
    expect(deadline).toBe(a.createdAt + TARGET_MS);
    expect(Date.now()).toBeLessThan(deadline);

    const seenAt = await waitFor(
      async () => {
        const r = await call('GET', `/api/tickets/${a.id}/`, admin.token);
        expect(r.status).toBe(200);
        return r.body.escalation_level === 1 ? Date.now() : undefined;
      },
      {
        // Past the allowed lateness, so a late escalation fails on the lateness, not a timeout.
        timeoutMs: deadline - Date.now() + MAX_LATENESS_MS + 10_000,
        intervalMs: 250,
        description: `ticket ${a.id} at escalation level 1`,
      },
    );
    const lateness = seenAt - deadline;
    console.log(`SLA e2e: ticket A's escalation showed ${lateness} ms after its deadline`);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThanOrEqual(MAX_LATENESS_MS);

    const aLog = await call('GET', `/api/sla/escalations/?ticket=${a.id}`, admin.token);
    expect(aLog.status).toBe(200);
    expect(aLog.body.results).toHaveLength(1);
    expect(aLog.body.results[0]).toMatchObject({
      ticket: a.id,
      level: 1,
      clock: 'periodic_update',
      automatic: true,
    });
    expect(Date.parse(aLog.body.results[0].escalated_at)).toBeGreaterThanOrEqual(deadline);

    // B would have escalated by its deadline plus the same allowance; B's deadline came before
    // A's, so this waits at most the allowance past A's deadline.
    await delay(Math.max(0, bDeadline + MAX_LATENESS_MS - Date.now()));
    const bLog = await call('GET', `/api/sla/escalations/?ticket=${b.id}`, admin.token);
    expect(bLog.status).toBe(200);
    expect(bLog.body.results).toEqual([]);
    const bTicket = await call('GET', `/api/tickets/${b.id}/`, admin.token);
    expect(bTicket.body).toMatchObject({ status: 'resolved', escalation_level: 0 });
    const orgLog = await call('GET', '/api/sla/escalations/', admin.token);
    expect(orgLog.body.results.map((e: { ticket: string }) => e.ticket)).toEqual([a.id]);

    // Closing and cancelling end both workflows (a resolved ticket's run waits for a reopen), so
    // the run leaves nothing on the dev server's task queue once this stack's worker is gone.
    expect(
      (await call('POST', `/api/tickets/${b.id}/status/`, admin.token, { status: 'closed' })).status,
    ).toBe(200);
    expect(
      (await call('POST', `/api/tickets/${a.id}/status/`, admin.token, { status: 'cancelled' })).status,
    ).toBe(200);
    const aEnded = await slaView(a.id, admin.token, (v) => v.finished);
    expect(aEnded.escalation_level).toBe(1);
  }, 120_000);
});
