import { randomUUID } from 'node:crypto';
import { currentTrace, runWithTrace, startTrace, type TraceContext } from '@helpdesk/kit';
import { testServers, waitFor } from '@helpdesk/testkit';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketFacts } from '../domain/clocks.ts';
import { defaultPolicy } from '../domain/policy.ts';
import { createSlaWorkflows } from '../infra/sla-workflows.ts';
import { traceClientInterceptor } from '../infra/temporal-trace.ts';
import { SLA_WORKFLOWS_PATH } from '../worker.ts';
import { slaWorkflowId } from '../workflows/contract.ts';
import { activityTraceInterceptors, SLA_WORKFLOW_INTERCEPTORS_PATH } from './trace.interceptor.ts';

// The wiring worker.ts needs (see the observability report): the workflow interceptors bundled
// with the workflows, the activity interceptor on the worker, the client interceptor on the client.
let connection: Connection;
let native: NativeConnection;
let client: Client;
const servers = testServers();

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already in this process.
  }
  connection = await Connection.connect({ address: servers.temporalAddress });
  native = await NativeConnection.connect({ address: servers.temporalAddress });
  client = new Client({
    connection,
    namespace: servers.temporalNamespace,
    interceptors: { workflow: [traceClientInterceptor()] },
  });
});
afterAll(async () => {
  await connection?.close();
  await native?.close();
});

describe('trace context into the SLA workflow and its activities', () => {
  it('when a ticket event under a trace starts the workflow, then its activities run in that trace', async () => {
    const taskQueue = `sla-trace-test-${randomUUID()}`;
    const seen: Array<TraceContext | undefined> = [];
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: SLA_WORKFLOWS_PATH,
      workflowInterceptorModules: [SLA_WORKFLOW_INTERCEPTORS_PATH],
      logger: new DefaultLogger('WARN'),
    });
    const worker = await Worker.create({
      connection: native,
      namespace: servers.temporalNamespace,
      taskQueue,
      workflowBundle,
      interceptors: { activity: [activityTraceInterceptors] },
      activities: {
        async resolvePolicy() {
          seen.push(currentTrace());
          return defaultPolicy(null);
        },
        async recordEffects() {},
      },
    });
    const ticketId = randomUUID();
    const now = new Date().toISOString();
    const facts: TicketFacts = {
      sequence: 1,
      type: 'ticket.created',
      at: now,
      createdAt: now,
      status: 'open',
      priority: 'high',
      categoryId: null,
      staffActivity: false,
      firstPublicStaffReply: false,
      reopened: false,
    };
    const request = startTrace('req-wf-trace-1');
    await worker.runUntil(async () => {
      const workflows = createSlaWorkflows(client, { taskQueue });
      try {
        await runWithTrace(request, () =>
          workflows.ticketChanged({ ticketId, orgId: `org-trace-${ticketId}`, facts }, facts),
        );
        await waitFor(() => seen.length > 0, { description: 'the workflow resolved its policy' });
      } finally {
        await client.workflow
          .getHandle(slaWorkflowId(ticketId))
          .terminate('test over')
          .catch(() => {});
      }
    });
    expect(seen[0]).toMatchObject({ traceId: request.traceId, requestId: 'req-wf-trace-1' });
    expect(seen[0]?.spanId).not.toBe(request.spanId);
  });
});
