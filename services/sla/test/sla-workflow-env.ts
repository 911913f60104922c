import { randomUUID } from 'node:crypto';
import { testServers } from '@helpdesk/testkit';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import type { SlaView, TicketFacts } from '../src/domain/clocks.ts';
import { bundleSlaWorkflows, createSlaWorker } from '../src/worker.ts';
import {
  type ManualEscalationRequest,
  manualEscalationSignal,
  SLA_LEVEL,
  SLA_NEXT_DUE,
  SLA_ORG_ID,
  type SlaWorkflowInput,
  slaViewQuery,
  slaWorkflowId,
  ticketChangedSignal,
} from '../src/workflows/contract.ts';
import type { ticketSlaWorkflow } from '../src/workflows/ticket-sla.workflow.ts';
import type { FakeActivities } from './fake-activities.ts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;

export interface SlaTestEnv {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundle;
  timings: { envStartMs: number; bundleMs: number };
}

/**
 * One time-skipping Temporal test server and one workflow bundle per test file, torn down after
 * it. Read the fields inside tests (they are set in `beforeAll`).
 */
export function useSlaTestEnv(): SlaTestEnv {
  const box = {} as SlaTestEnv;
  beforeAll(async () => {
    quietRuntime();
    const path = testServers().temporalTestServerPath;
    if (!path)
      throw new Error('no Temporal test server binary: start the servers with scripts/infra.sh up --test');
    let t = performance.now();
    box.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path } },
    });
    const envStartMs = performance.now() - t;
    await registerSearchAttributes(box.env);
    t = performance.now();
    box.bundle = await bundleSlaWorkflows({ logger: new DefaultLogger('WARN') });
    box.timings = { envStartMs, bundleMs: performance.now() - t };
    console.info(
      `sla workflow tests: env start ${Math.round(envStartMs)} ms, bundle ${Math.round(box.timings.bundleMs)} ms`,
    );
  });
  afterAll(async () => {
    await box.env?.teardown();
  });
  return box;
}

/**
 * The workflow sets the SLA search attributes, and a server that lacks them fails its workflow
 * tasks; the test server starts with none (scripts/infra/temporal.sh registers them in the dev server).
 */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  // temporal.api.enums.v1.IndexedValueType
  const [KEYWORD, INT, DATETIME] = [2, 3, 6];
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { [SLA_ORG_ID.name]: KEYWORD, [SLA_NEXT_DUE.name]: DATETIME, [SLA_LEVEL.name]: INT },
  });
}

/** Worker lifecycle logs at INFO would drown the test output; warnings and errors still show. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already (another file in this process): keep that one.
  }
}

/** Runs `fn` with an SLA worker (on its own task queue) serving the fake activities. */
export async function withWorker<T>(
  sla: SlaTestEnv,
  fake: FakeActivities,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `sla-test-${randomUUID()}`;
  const worker = await createSlaWorker({
    connection: sla.env.nativeConnection,
    namespace: sla.env.namespace ?? 'default',
    taskQueue,
    activities: fake.activities,
    workflowBundle: sla.bundle,
  });
  return worker.runUntil(async () => {
    try {
      return await fn(taskQueue);
    } finally {
      await terminateRunning(sla.env, taskQueue);
    }
  });
}

/**
 * A workflow left running with no worker would stall the next test: the time-skipping server
 * stops skipping while one of its timers has fired and nobody takes the workflow task.
 */
async function terminateRunning(env: TestWorkflowEnvironment, taskQueue: string): Promise<void> {
  for (const workflowId of startedOn.get(taskQueue) ?? []) {
    const handle = env.client.workflow.getHandle(workflowId);
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test over');
  }
  startedOn.delete(taskQueue);
}
const startedOn = new Map<string, string[]>();

/** Advances the test server's clock to `t` (epoch ms), firing every timer due on the way. */
export async function sleepUntil(env: TestWorkflowEnvironment, t: number): Promise<void> {
  const ms = t - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

export type TicketDriver = Awaited<ReturnType<typeof startTicket>>;

/**
 * A ticket created now (on the test server's clock) whose SLA workflow starts the way the
 * consumer starts it: signal-with-start with the `ticket.created` facts.
 */
export async function startTicket(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  over: Partial<TicketFacts> & Partial<Pick<SlaWorkflowInput, 'maxHistoryEvents'>> = {},
) {
  const { maxHistoryEvents, ...factsOver } = over;
  const ticketId = randomUUID();
  const workflowId = slaWorkflowId(ticketId);
  const t0 = await env.currentTimeMs();
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  let sequence = 1;
  const created: TicketFacts = {
    sequence,
    type: 'ticket.created',
    at: at(0),
    createdAt: at(0),
    status: 'open',
    priority: 'high',
    categoryId: null,
    staffActivity: false,
    firstPublicStaffReply: false,
    reopened: false,
    ...factsOver,
  };
  let last = created;
  const input = (facts: TicketFacts): SlaWorkflowInput => ({
    ticketId,
    orgId: 'org-a',
    facts,
    ...(maxHistoryEvents === undefined ? {} : { maxHistoryEvents }),
  });
  const signalWithStart = (facts: TicketFacts) =>
    env.client.workflow.signalWithStart<typeof ticketSlaWorkflow, [TicketFacts]>('ticketSlaWorkflow', {
      workflowId,
      taskQueue,
      args: [input(facts)],
      signal: ticketChangedSignal,
      signalArgs: [facts],
    });
  const first = await signalWithStart(created);
  startedOn.set(taskQueue, [...(startedOn.get(taskQueue) ?? []), workflowId]);
  const handle: WorkflowHandle<typeof ticketSlaWorkflow> = env.client.workflow.getHandle(workflowId);
  return {
    ticketId,
    workflowId,
    t0,
    at,
    created,
    firstRunId: first.signaledRunId,
    handle,
    /** The facts of the next ticket event, `ms` after creation (the ticket as it was, plus `change`). */
    next(ms: number, change: Partial<TicketFacts> = {}): TicketFacts {
      last = {
        ...last,
        staffActivity: false,
        firstPublicStaffReply: false,
        reopened: false,
        type: 'ticket.updated',
        ...change,
        sequence: ++sequence,
        at: at(ms),
      };
      return last;
    },
    signal: (facts: TicketFacts) => handle.signal(ticketChangedSignal, facts),
    signalWithStart,
    escalate: (request: ManualEscalationRequest) => handle.signal(manualEscalationSignal, request),
    /** The view at `ms` after creation (exact, unlike `view()` whose running times grow with the clock). */
    viewAt: (ms: number): Promise<SlaView> => handle.query(slaViewQuery, at(ms)),
    /** The live view at the test server's current time. */
    view: async (): Promise<SlaView> =>
      handle.query(slaViewQuery, new Date(await env.currentTimeMs()).toISOString()),
  };
}
