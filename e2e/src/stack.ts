import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { deleteQueues, uniqueDbUrl } from '@helpdesk/testkit';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  url: string;
  proc: ChildProcess;
  output: () => string;
}

export interface RunningStack {
  gateway: string;
  services: Record<string, ServiceProcess>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Starts one service as its own process, the way the stack command does, and waits for /readyz. */
export async function startService(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, [`services/${name}/src/main.ts`], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
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
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { name, url, proc, output: () => out };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`${name} did not become ready on ${url} (exit ${proc.exitCode}):\n${out.slice(-4000)}`);
}

/** SIGTERM, then wait for a clean exit (graceful shutdown is part of what is tested). */
export async function stopService(s: ServiceProcess): Promise<number | null> {
  if (s.proc.exitCode !== null) return s.proc.exitCode;
  s.proc.kill('SIGTERM');
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), 15_000);
  const [code] = await once(s.proc, 'exit');
  clearTimeout(timer);
  return code as number | null;
}

/**
 * identity and the gateway on free ports (with `tickets`, the tickets service too), each service
 * with its own fresh database. Tickets starts once identity answers, since it loads identity's
 * snapshots before serving.
 */
export async function startAuthStack(
  servers: { mongoUrl: string; amqpUrl: string },
  opts: { tickets?: boolean } = {},
): Promise<RunningStack> {
  const identity = await startService('identity', {
    MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_identity'),
    AMQP_URL: servers.amqpUrl,
    TRUST_PROXY: 'true',
  });
  const common = {
    AMQP_URL: servers.amqpUrl,
    IDENTITY_URL: identity.url,
    JWKS_URL: `${identity.url}/api/auth/jwks.json`,
  };
  // Queues of its own, so no other tickets process on the broker takes its users' events.
  const queuePrefix = `e2e-tickets-${Date.now().toString(36)}`;
  const tickets = opts.tickets
    ? await startService('tickets', {
        ...common,
        MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_tickets'),
        QUEUE_PREFIX: queuePrefix,
      })
    : undefined;
  const gateway = await startService('gateway', {
    ...common,
    ...(tickets ? { TICKETS_URL: tickets.url } : {}),
  });
  const services: Record<string, ServiceProcess> = { identity, gateway, ...(tickets ? { tickets } : {}) };
  return {
    gateway: gateway.url,
    services,
    async stop() {
      await stopService(gateway);
      if (tickets) {
        await stopService(tickets);
        await deleteQueues(servers.amqpUrl, [`${queuePrefix}.users`, `${queuePrefix}.escalations`]);
      }
      await stopService(identity);
    },
  };
}
