// The benchmark's worker process (./worker.ts): started, watched (escalation instants, RSS) and
// killed by the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** The baseline's worker: a no-op workflow on the same server (./noop-worker.ts). */
export const NOOP_WORKER_SCRIPT = fileURLToPath(new URL('./noop-worker.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface WorkerChild {
  pid: number;
  /** Per workflow id, when the recordEffects activity carrying its level-1 escalation started (epoch ms). */
  escalatedAt: Map<string, number>;
  /** Largest RSS seen so far, in bytes (sampled every 250 ms). */
  maxRss(): number;
  kill(): Promise<void>;
}

/** Resident set size of a process in bytes, from /proc; 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export async function startWorkerChild(
  env: Record<string, string>,
  script = WORKER_SCRIPT,
): Promise<WorkerChild> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const escalatedAt = new Map<string, number>();
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let rest = '';
  const ready = Promise.withResolvers<void>();
  child.stdout?.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'READY') ready.resolve();
      const [tag, workflowId, level, at] = line.split(' ');
      if (tag === 'ESC' && workflowId && level === '1' && !escalatedAt.has(workflowId))
        escalatedAt.set(workflowId, Number(at));
    }
  });
  child.once('exit', (code, signal) =>
    ready.reject(new Error(`worker exited (${code ?? signal}): ${stderr}`)),
  );
  const timer = setTimeout(
    () => ready.reject(new Error(`worker not ready in ${READY_TIMEOUT_MS / 1000} s: ${stderr}`)),
    READY_TIMEOUT_MS,
  );
  const pid = child.pid ?? 0;
  let max = 0;
  const sampler = setInterval(() => {
    max = Math.max(max, rssOf(pid));
  }, 250);
  const kill = async () => {
    clearInterval(sampler);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await ready.promise;
  } catch (err) {
    await kill();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { pid, escalatedAt, maxRss: () => Math.max(max, rssOf(pid)), kill };
}
