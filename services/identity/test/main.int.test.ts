import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts main.ts as a process and resolves with its port once it logs "listening". */
function start(env: Record<string, string>) {
  const proc = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'pipe',
  });
  const lines: string[] = [];
  let buffer = '';
  const listening = new Promise<number>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const entry = JSON.parse(line);
        if (entry.msg === 'listening') resolve(entry.port);
      }
    });
    proc.once('exit', (code) =>
      reject(new Error(`exited with ${code} before listening: ${lines.join('\n')}`)),
    );
  });
  // The config test expects the early exit; it awaits 'exit', not this.
  listening.catch(() => undefined);
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { proc, lines, listening, stderr: () => stderr };
}

describe('node services/identity/src/main.ts', () => {
  it('when started with env, then it serves, logs no secrets, and stops cleanly on SIGTERM', async () => {
    const { mongoUrl, amqpUrl } = testServers();
    const run = start({
      MONGO_URL: uniqueDbUrl(mongoUrl, 'identity_main'),
      AMQP_URL: amqpUrl,
      PORT: '0',
      BOOTSTRAP_ADMIN_USERNAME: 'root',
      BOOTSTRAP_ADMIN_EMAIL: 'root@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'a process password',
    });
    child = run.proc;
    const port = await run.listening;
    const base = `http://127.0.0.1:${port}`;

    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ok' });
    const login = await fetch(`${base}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer leaked.header.value' },
      body: JSON.stringify({ username: 'root', password: 'a process password' }),
    });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { access: string; refresh: string };
    const refreshed = await fetch(`${base}/api/auth/refresh/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh: tokens.refresh }),
    });
    expect(refreshed.status).toBe(200);

    run.proc.kill('SIGTERM');
    const [code] = await once(run.proc, 'exit');
    expect(code).toBe(0);
    const log = run.lines.join('\n');
    expect(log).toContain('"msg":"bootstrap admin created"');
    expect(log).toContain('"msg":"stopped"');
    for (const secret of ['a process password', tokens.access, tokens.refresh, 'leaked.header.value']) {
      expect(log).not.toContain(secret);
    }
    expect(run.stderr()).toBe('');
  });

  it('when the config is invalid, then it names every bad variable and exits non-zero', async () => {
    const run = start({ MONGO_URL: 'nope', ACCESS_TOKEN_TTL: 'soon' });
    const [code] = await once(run.proc, 'exit');
    expect(code).not.toBe(0);
    for (const name of ['MONGO_URL', 'AMQP_URL', 'ACCESS_TOKEN_TTL']) expect(run.stderr()).toContain(name);
  });
});
