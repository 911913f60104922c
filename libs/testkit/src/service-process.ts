// Plain Node, no vitest: the benchmarks import this file directly.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Enough for any start-up failure, bounded for long runs that log a lot. */
const OUTPUT_KEPT = 64_000;

export interface ServiceProcess {
  name: string;
  url: string;
  proc: ChildProcess;
  /** What it wrote to stdout and stderr (the latest part). */
  output: () => string;
}

const children = new Set<ChildProcess>();
// The last resort when the starter dies without stopping them: no orphaned servers.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * Starts `services/<name>/src/main.ts` as its own process on a free port, the way the stack
 * command does, and resolves once `/readyz` answers. `env` comes on top of this process's
 * environment and of `NODE_ENV=test`, `LOG_LEVEL=warn`, `HOST=127.0.0.1`. If it exits or is not
 * ready within `readyTimeoutMs` (default 30 s), it is stopped and the error carries its output.
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  opts: { readyTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-OUTPUT_KEPT);
  };
  const proc = spawn(process.execPath, [`services/${name}/src/main.ts`], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const service: ServiceProcess = { name, url: `http://127.0.0.1:${port}`, proc, output: () => out };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline && proc.exitCode === null) {
    const ready = await fetch(`${service.url}/readyz`).then(
      (r) => r.ok,
      () => false, // not listening yet
    );
    if (ready) return service;
    await delay(100);
  }
  await stopService(service);
  throw new Error(
    `${name} did not become ready on ${service.url} (exit ${proc.exitCode}):\n${out.slice(-4000)}`,
  );
}

/**
 * SIGTERM, then wait for the exit (graceful shutdown is part of what is tested); SIGKILL after
 * `killAfterMs` (default 15 s). Resolves to the exit code, null when a signal ended it.
 */
export async function stopService(
  s: ServiceProcess,
  opts: { killAfterMs?: number } = {},
): Promise<number | null> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return s.proc.exitCode;
  const exited = once(s.proc, 'exit');
  s.proc.kill('SIGTERM');
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), opts.killAfterMs ?? 15_000);
  const [code] = await exited;
  clearTimeout(timer);
  return code as number | null;
}
