import { runWithTrace, startTrace } from '@helpdesk/kit';
import { waitFor } from '@helpdesk/testkit';
import { defaultPayloadConverter, type Payload } from '@temporalio/client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Sla, startSla } from '../../test/harness.ts';
import { ticketStory } from '../../test/ticket-stories.ts';
import type { SlaEffect } from '../domain/clocks.ts';
import { slaWorkflowId } from '../workflows/contract.ts';

let t: Sla;

beforeAll(async () => {
  t = await startSla();
});
afterAll(async () => {
  await t?.close();
});

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await t.metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return found?.value ?? 0;
}

const text = (p: Payload | null | undefined) =>
  p ? defaultPayloadConverter.fromPayload<string>(p) : undefined;

describe('sla observability', () => {
  it('when ticket events arrive under a trace, then the workflow start and signal carry it and starts are counted by outcome', async () => {
    const startedBefore = await counter('sla_workflow_starts_total', { outcome: 'started' });
    const signalledBefore = await counter('sla_workflow_starts_total', { outcome: 'signalled' });
    const customer = await t.user('user');
    const agent = await t.user('agent', customer.orgId);
    const story = ticketStory(customer);
    const request = startTrace('req-sla-trace-1');
    await runWithTrace(request, () => t.publish(story.created()));
    await waitFor(
      async () => (await counter('sla_workflow_starts_total', { outcome: 'started' })) === startedBefore + 1,
      { description: 'the start counted' },
    );
    await t.publish(story.assigned(agent, agent.id, 'manual'));
    await waitFor(
      async () =>
        (await counter('sla_workflow_starts_total', { outcome: 'signalled' })) === signalledBefore + 1,
      { description: 'the signal to the running workflow counted' },
    );

    const history = await t.client.workflow.getHandle(slaWorkflowId(story.ticket.id)).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const traceparent = text(started?.header?.fields?.traceparent);
    // The consumer's span of the request's trace: same trace id, another parent.
    expect(traceparent).toMatch(new RegExp(`^00-${request.traceId}-[0-9a-f]{16}-01$`));
    expect(traceparent).not.toContain(request.spanId);
    expect(text(started?.header?.fields?.['x-request-id'])).toBe('req-sla-trace-1');
  });

  it('when effects are recorded twice, then escalations, breaches and warnings are counted once each', async () => {
    const orgId = t.org();
    const workflowId = slaWorkflowId(uuidv7());
    const at = new Date().toISOString();
    const base = { clock: 'first_response' as const, cycle: 1, at };
    const effects: SlaEffect[] = [
      { ...base, kind: 'warning', percent: 75, targetMs: 4_000, dueAt: at, key: `${workflowId}:w` },
      { ...base, kind: 'breached', targetMs: 4_000, key: `${workflowId}:b` },
      {
        ...base,
        kind: 'escalated',
        level: 2,
        actions: [{ type: 'raise_priority' }],
        reason: 'breached',
        actorId: null,
        key: `${workflowId}:e2`,
      } as SlaEffect,
    ];
    const before = {
      warnings: await counter('sla_warnings_total', { clock: 'first_response' }),
      breaches: await counter('sla_breaches_total', { clock: 'first_response' }),
      escalations: await counter('sla_escalations_total', { level: '2' }),
    };
    const input = { orgId, ticketId: workflowId.slice(-36), workflowId, effects };
    await t.activities.recordEffects(input);
    await t.activities.recordEffects(input);
    expect(await counter('sla_warnings_total', { clock: 'first_response' })).toBe(before.warnings + 1);
    expect(await counter('sla_breaches_total', { clock: 'first_response' })).toBe(before.breaches + 1);
    expect(await counter('sla_escalations_total', { level: '2' })).toBe(before.escalations + 1);

    const scraped = (await as(t, undefined).get('/metrics')).body as string;
    expect(scraped).toContain('sla_escalations_total{level="2",service="sla"}');
    expect(scraped).toContain('sla_workflow_starts_total');
  });
});
