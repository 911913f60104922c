// Timing, percentiles and CPU accounting for the tickets benchmark.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopping } from './context.ts';

export interface Run {
  latencies: number[];
  seconds: number;
  errors: number;
  firstError?: string;
}

/** `count` calls of `op`, `concurrency` at a time, none started after `deadline` (performance.now()). */
export async function pool(
  count: number,
  concurrency: number,
  deadline: number,
  op: (i: number) => Promise<void>,
  /**
   * Open loop: operation i is due `i / perSecond` seconds after the start, and its latency counts
   * from then, so a backlog shows in the latencies instead of slowing the offered rate down.
   */
  pace?: { perSecond: number },
): Promise<Run> {
  const run: Run = { latencies: [], seconds: 0, errors: 0 };
  let next = 0;
  const began = performance.now();
  const worker = async () => {
    while (next < count && performance.now() < deadline && !stopping.signal.aborted) {
      const i = next++;
      let t0 = performance.now();
      if (pace) {
        const due = began + (i * 1000) / pace.perSecond;
        if (due > t0) await sleep(due - t0);
        t0 = due;
      }
      try {
        await op(i);
        run.latencies.push(performance.now() - t0);
      } catch (err) {
        run.errors += 1;
        run.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  stopping.signal.throwIfAborted();
  run.seconds = (performance.now() - began) / 1000;
  return run;
}

export function merge(runs: Run[]): Run {
  const merged: Run = {
    latencies: runs.flatMap((r) => r.latencies),
    seconds: runs.reduce((s, r) => s + r.seconds, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  };
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return firstError ? { ...merged, firstError } : merged;
}

export const rate = (r: Run) => r.latencies.length / r.seconds;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function latencyHeader(): string {
  return `${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`;
}

export function latencyCells(t: number[]): string {
  return [percentile(t, 50), percentile(t, 99), Math.max(...t)].map((v) => v.toFixed(2).padStart(9)).join('');
}

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** CPU time of a process so far (user + system) in ms, from /proc; undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine so far in ms: every process, ours and everybody else's. */
function machineBusyMs(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return (
    (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) /
    CLOCK_TICKS
  );
}

export type CpuSample = Map<string, number>;

/**
 * CPU spent per process between two samples: `pids` by name, this process as `bench`, and the
 * whole machine as `machine` (so foreign load shows as the part no named process accounts for).
 */
export function sampleCpu(pids: Record<string, number | undefined>): CpuSample {
  const sample: CpuSample = new Map();
  for (const [name, pid] of Object.entries(pids)) {
    const ms = pid === undefined ? undefined : processCpuMs(pid);
    if (ms !== undefined) sample.set(name, ms);
  }
  const self = process.cpuUsage();
  sample.set('bench', (self.user + self.system) / 1000);
  sample.set('machine', machineBusyMs());
  return sample;
}

export function cpuSpent(before: CpuSample, after: CpuSample): CpuSample {
  const spent: CpuSample = new Map();
  for (const [name, ms] of after) {
    const was = before.get(name);
    if (was !== undefined) spent.set(name, ms - was);
  }
  return spent;
}
