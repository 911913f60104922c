// The benchmark's baseline: the same signal-with-start at the same rate on the same server, of a
// workflow that does nothing (./noop.workflow.ts) served by a worker process with the same tuning.
// What it costs is Temporal's own share; the SLA run's figures beside it show what ours adds.
import { cpuSpent, pool, type Run, sampleCpu } from '../tickets/stats.ts';
import { NOOP_WORKER_SCRIPT, startWorkerChild } from './child.ts';
import type { Client } from './temporal.ts';

export interface BaselineRun {
  run: Run;
  /** Call -> first workflow task completed, for the sampled workflows that had one. */
  firstTask: number[];
  sampled: number;
  cpu: Map<string, number>;
}

/** Milliseconds from `calledAt` to the first history event of `type` (`WorkflowTaskCompleted`, ...). */
export function delayTo(
  events: {
    eventType?: number | string | null;
    eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  }[],
  type: string,
  calledAt: number,
): number | undefined {
  const e = events.find(
    (ev) => ev.eventType !== undefined && ev.eventType !== null && typeName(ev.eventType) === type,
  );
  const ts = e?.eventTime;
  return ts ? Number(ts.seconds ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6 - calledAt : undefined;
}

/** The history event's type as its enum name (the SDK decodes it as a number). */
function typeName(type: number | string): string {
  const names: Record<number, string> = { 7: 'WorkflowTaskCompleted', 17: 'TimerStarted' };
  return typeof type === 'number' ? (names[type] ?? String(type)) : type.replace(/^EVENT_TYPE_/, '');
}

export async function runBaseline(opts: {
  client: Client;
  env: Record<string, string>;
  taskQueue: string;
  count: number;
  perSecond: number;
  concurrency: number;
  sample: number;
  temporalPid: number | undefined;
  budgetMs: number;
}): Promise<BaselineRun> {
  const { client, taskQueue, count } = opts;
  const worker = await startWorkerChild({ ...opts.env, SLA_TASK_QUEUE: taskQueue }, NOOP_WORKER_SCRIPT);
  try {
    const ids = Array.from({ length: count }, (_, i) => `${taskQueue}-${i}`);
    const calledAt = new Array<number>(count).fill(0);
    const pids = { worker: worker.pid, temporal: opts.temporalPid };
    const before = sampleCpu(pids);
    const run = await pool(
      count,
      opts.concurrency,
      performance.now() + opts.budgetMs,
      async (i) => {
        calledAt[i] = Date.now();
        await client.workflow.signalWithStart('noopWorkflow', {
          taskQueue,
          workflowId: ids[i] as string,
          signal: 'ticketChanged',
          signalArgs: [{}],
        });
      },
      { perSecond: opts.perSecond },
    );
    const cpu = cpuSpent(before, sampleCpu(pids));
    const step = Math.max(1, Math.floor(count / opts.sample));
    const sample = Array.from({ length: Math.ceil(count / step) }, (_, k) => k * step);
    const firstTask: number[] = [];
    await pool(sample.length, 8, performance.now() + 60_000, async (k) => {
      const i = sample[k] as number;
      const events = (await client.workflow.getHandle(ids[i] as string).fetchHistory()).events ?? [];
      const d = delayTo(events, 'WorkflowTaskCompleted', calledAt[i] ?? 0);
      if (d !== undefined) firstTask.push(d);
    });
    await Promise.allSettled(ids.map((id) => client.workflow.getHandle(id).terminate('baseline done')));
    return { run, firstTask, sampled: sample.length, cpu };
  } finally {
    await worker.kill();
  }
}
