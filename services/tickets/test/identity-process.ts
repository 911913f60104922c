import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface IdentityProcess {
  url: string;
  output: () => string;
  /** HTTP against identity; JSON in and out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * The real identity service as its own process on a free port, with a fresh database: the
 * tickets service's project cannot import identity's code, and a process is what it talks to in
 * production anyway. Resolves once `/readyz` answers.
 */
export async function startIdentityProcess(env: Record<string, string> = {}): Promise<IdentityProcess> {
  const { mongoUrl, amqpUrl } = testServers();
  const port = await freePort();
  let out = '';
  const proc: ChildProcess = spawn(process.execPath, ['services/identity/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGO_URL: uniqueDbUrl(mongoUrl, 'identity'),
      AMQP_URL: amqpUrl,
      TRUST_PROXY: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  let ip = 0;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`identity exited (${proc.exitCode}):\n${out.slice(-4000)}`);
        return (await fetch(`${url}/readyz`)).ok;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'identity ready' },
    );
  } catch (err) {
    await stop();
    throw new Error(`identity did not start:\n${out.slice(-4000)}`, { cause: err });
  }
  return {
    url,
    output: () => out,
    async call(method, path, body, token) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          // Each call from its own address, so the login throttle never joins in.
          'x-client-ip': `198.51.100.${(ip++ % 250) + 1}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop,
  };
}
