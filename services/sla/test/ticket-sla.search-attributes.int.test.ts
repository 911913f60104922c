import { waitFor } from '@helpdesk/testkit';
import { describe, expect, it } from 'vitest';
import { SLA_LEVEL, SLA_NEXT_DUE, SLA_ORG_ID } from '../src/workflows/contract.ts';
import { fakeActivities } from './fake-activities.ts';
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

/** The search attributes as the server holds them. */
async function attributesOf(t: TicketDriver) {
  const { typedSearchAttributes: a } = await t.handle.describe();
  return {
    orgId: a.get(SLA_ORG_ID) ?? null,
    nextDue: a.get(SLA_NEXT_DUE)?.toISOString() ?? null,
    level: a.get(SLA_LEVEL) ?? null,
  };
}

/** Waits until the attributes are `expected` (each change lands with the workflow task after it). */
const attributesBecome = (t: TicketDriver, expected: Awaited<ReturnType<typeof attributesOf>>) =>
  waitFor(
    async () => {
      const got = await attributesOf(t);
      return JSON.stringify(got) === JSON.stringify(expected) && got;
    },
    { description: `search attributes ${JSON.stringify(expected)}` },
  ).catch(async (err) => {
    // Show what they were instead of a bare timeout.
    expect(await attributesOf(t)).toEqual(expected);
    throw err;
  });

describe('ticketSlaWorkflow: search attributes', () => {
  it('when the next breach or the level changes, then SlaNextDue and SlaLevel follow, and closing clears the due time', async () => {
    const fake = fakeActivities();
    await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high' });
      // The default policy: only periodic_update runs, 1 h for high.
      await attributesBecome(t, { orgId: 'org-a', nextDue: t.at(HOUR), level: 0 });

      // Breached and escalated: no clock runs toward a breach any more.
      await sleepUntil(sla.env, t.t0 + HOUR + 1000);
      await attributesBecome(t, { orgId: 'org-a', nextDue: null, level: 1 });

      // Staff activity starts a new period.
      await t.signal(t.next(HOUR + 10 * MIN, { staffActivity: true }));
      await attributesBecome(t, { orgId: 'org-a', nextDue: t.at(2 * HOUR + 10 * MIN), level: 1 });

      await t.signal(t.next(HOUR + 20 * MIN, { status: 'closed' }));
      await t.handle.result();
      expect(await attributesOf(t)).toEqual({ orgId: 'org-a', nextDue: null, level: 1 });
    });
  });
});
