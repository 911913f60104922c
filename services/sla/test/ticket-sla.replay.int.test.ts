import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@helpdesk/testkit';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type History,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { policyChangedSignal } from '../src/workflows/contract.ts';
import { fakeActivities } from './fake-activities.ts';
import { historyFromJSON, historyToJSON } from './history-json.ts';
import { customPolicy, everyPriority } from './policies.ts';
import {
  HOUR,
  MIN,
  sleepUntil,
  startTicket,
  type TicketDriver,
  useSlaTestEnv,
  withWorker,
} from './sla-workflow-env.ts';

/*
 * Replay tests: histories recorded from earlier versions of the workflow (test/histories/, one file
 * per run) must replay against today's code. A change that alters what an existing run does must
 * go behind `patched()`; the last two tests show that this suite tells the two apart.
 *
 * To record the histories of a new workflow version, run this file with SLA_RECORD_HISTORIES=1: it
 * writes the lifecycle below as `<version>-lifecycle.<run>.json`. Keep the old versions' files.
 */

const sla = useSlaTestEnv();
const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));
const VERSION = 'v1';
const RECORD = process.env.SLA_RECORD_HISTORIES === '1';

const storedHistories = () =>
  readdirSync(HISTORIES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      name,
      history: historyFromJSON(JSON.parse(readFileSync(`${HISTORIES}${name}`, 'utf8'))),
    }));

const variantBundle = (file: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL(`./workflows/${file}`, import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });

describe('ticketSlaWorkflow replay', () => {
  it('when a whole ticket lifecycle runs, then each of its runs replays against the code', async () => {
    const fake = fakeActivities(
      customPolicy('lifecycle', {
        periodic_update: { warningPercents: [75] },
        resolution: { targetsMs: everyPriority(8 * HOUR) },
      }),
    );
    const runs = await withWorker(sla, fake, async (tq) => {
      const t = await startTicket(sla.env, tq, { priority: 'high', maxHistoryEvents: 60 });
      await lifecycle(t);
      await t.handle.result();
      return collectRuns(t);
    });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) await Worker.runReplayHistory({ workflowBundle: sla.bundle }, run.history);
    if (RECORD) {
      mkdirSync(HISTORIES, { recursive: true });
      for (const [i, run] of runs.entries())
        writeFileSync(`${HISTORIES}${VERSION}-lifecycle.${i + 1}.json`, `${historyToJSON(run.history)}\n`);
    }
  });

  it('when the stored histories of every version replay against today’s code, then none fails', async () => {
    const stored = storedHistories();
    expect(stored.map((s) => s.name)).toContain(`${VERSION}-lifecycle.1.json`);
    for (const { name, history } of stored)
      await expect(
        Worker.runReplayHistory({ workflowBundle: sla.bundle }, history),
        name,
      ).resolves.toBeUndefined();
  });

  it('when the workflow’s steps change without a patch, then replaying a stored history fails', async () => {
    const bundle = await variantBundle('unpatched-change.workflow.ts');
    const [first] = storedHistories();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, first?.history)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });

  it('when the same change sits behind patched(), then every stored history still replays', async () => {
    const bundle = await variantBundle('patched-change.workflow.ts');
    for (const { name, history } of storedHistories())
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, history),
        name,
      ).resolves.toBeUndefined();
  });
});

/** Every kind of step the workflow takes: timers, warnings, escalations, each signal, a policy change, pause, reopen, close. */
async function lifecycle(t: TicketDriver): Promise<void> {
  const step = async (offset: number, act: () => Promise<void>) => {
    await sleepUntil(sla.env, t.t0 + offset);
    await act();
  };
  await sleepUntil(sla.env, t.t0 + HOUR + 1000); // warning at 45 min, breach and level 1 at 1 h
  await step(70 * MIN, () =>
    t.signal(t.next(70 * MIN, { staffActivity: true, firstPublicStaffReply: true })),
  );
  await step(80 * MIN, () =>
    t.escalate({ at: t.at(80 * MIN), reason: 'customer called', actorId: 'u-admin', key: 'req-1' }),
  );
  await step(90 * MIN, () => t.signal(t.next(90 * MIN, { priority: 'medium' })));
  await step(2 * HOUR, () => t.signal(t.next(2 * HOUR, { status: 'pending', staffActivity: true })));
  await step(3 * HOUR, () => t.signal(t.next(3 * HOUR, { status: 'open' })));
  await step(4 * HOUR, () => t.handle.signal(policyChangedSignal, { at: t.at(4 * HOUR) }));
  await step(5 * HOUR, () => t.signal(t.next(5 * HOUR, { status: 'resolved', staffActivity: true })));
  await step(6 * HOUR, () => t.signal(t.next(6 * HOUR, { status: 'open', reopened: true })));
  await step(7 * HOUR, () => t.signal(t.next(7 * HOUR, { status: 'closed', staffActivity: true })));
  await waitFor(async () => (await t.handle.describe()).status.name === 'COMPLETED');
}

/** The histories of the ticket's runs, oldest first (following continue-as-new from the first run). */
async function collectRuns(t: TicketDriver): Promise<{ runId: string; history: History }[]> {
  const runs: { runId: string; history: History }[] = [];
  let runId: string | undefined = t.firstRunId;
  while (runId) {
    const history: History = await sla.env.client.workflow.getHandle(t.workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    runId = next ?? undefined;
  }
  return runs;
}
