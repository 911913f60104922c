import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The image's user (Dockerfile `USER 1000:1000`). */
const IMAGE_UID = 1000;

export interface ImageProcess {
  service: string;
  url: string;
  proc: ChildProcess;
  output: () => string;
}

/**
 * Starts a service from a replayed image tree as the image would: `node src/main.ts` in
 * `/app/services/<name>`, with only the env given (plus PATH). Run as root, it drops to the image's
 * uid 1000 with setpriv, so the root-owned tree is as read-only as in the container.
 */
export async function startFromImage(
  tree: string,
  service: string,
  port: number,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<ImageProcess> {
  const asImageUser = process.getuid?.() === 0;
  const [file, args] = asImageUser
    ? [
        'setpriv',
        [`--reuid=${IMAGE_UID}`, `--regid=${IMAGE_UID}`, '--clear-groups', process.execPath, 'src/main.ts'],
      ]
    : [process.execPath, ['src/main.ts']];
  let out = '';
  const proc = spawn(file, args, {
    cwd: join(tree, 'services', service),
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const started: ImageProcess = { service, url: `http://127.0.0.1:${port}`, proc, output: () => out };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline && proc.exitCode === null) {
    const ready = await fetch(`${started.url}/readyz`).then(
      (r) => r.ok,
      () => false, // not listening yet
    );
    if (ready) return started;
    await delay(200);
  }
  proc.kill('SIGKILL');
  throw new Error(
    `${service} from its image tree was not ready (exit ${proc.exitCode}):\n${out.slice(-4000)}`,
  );
}

/** Sends SIGTERM, as the container runtime does, and resolves with the exit code. */
export async function terminate(p: ImageProcess, timeoutMs = 30_000): Promise<number | null> {
  if (p.proc.exitCode !== null) return p.proc.exitCode;
  const exited = once(p.proc, 'exit');
  p.proc.kill('SIGTERM');
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
  return p.proc.exitCode;
}
