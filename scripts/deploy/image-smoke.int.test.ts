import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteQueues, freePort, testServers, uniqueDbUrl } from '../../libs/testkit/src/index.ts';
import { replayBuildStage } from './dockerfile-build.ts';
import { type ImageProcess, startFromImage, terminate } from './image-process.ts';
import { SERVICES } from './service-config.ts';
import { ROOT } from './tools.ts';

// The five services started from their replayed image trees (production dependencies only, files
// owned by root and run as uid 1000, NODE_ENV=production), wired as docker-compose.yml wires them:
// the closest this machine gets to running the images.
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const run = `smoke${Date.now().toString(36)}`;
const INTERNAL_TOKEN = 'image-smoke-internal-token-0123456789abcdef';
const admin = {
  username: 'smoke-admin',
  email: 'smoke-admin@example.com',
  password: 'a smoke test password 1',
};
const queues = [
  `${run}-tickets.users`,
  `${run}-tickets.escalations`,
  `${run}-sla.tickets`,
  `${run}-sla.categories`,
  `${run}-reporting.events`,
];

let root: string;
const running = new Map<string, ImageProcess>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'image-smoke-'));
  // mkdtemp makes it private; the image's user must be able to reach /app.
  chmodSync(root, 0o755);
  for (const service of SERVICES) {
    mkdirSync(join(root, service), { mode: 0o755 });
    replayBuildStage(dockerfile, service, join(root, service));
  }
  const servers = testServers();
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
  );
  const url = (s: string) => `http://127.0.0.1:${ports[s]}`;
  const common = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    AMQP_URL: servers.amqpUrl,
    INTERNAL_TOKEN,
    IDENTITY_URL: url('identity'),
  };
  const start = async (service: string, env: Record<string, string>) => {
    running.set(
      service,
      await startFromImage(join(root, service), service, ports[service] ?? 0, { ...common, ...env }),
    );
  };
  const db = (name: string) => uniqueDbUrl(servers.mongoUrl, `${run}_${name}`);
  await start('identity', {
    MONGO_URL: db('identity'),
    TRUST_PROXY: 'true',
    BOOTSTRAP_ADMIN_USERNAME: admin.username,
    BOOTSTRAP_ADMIN_EMAIL: admin.email,
    BOOTSTRAP_ADMIN_PASSWORD: admin.password,
  });
  await Promise.all([
    start('tickets', { MONGO_URL: db('tickets'), QUEUE_PREFIX: `${run}-tickets` }),
    start('sla', {
      MONGO_URL: db('sla'),
      QUEUE_PREFIX: `${run}-sla`,
      TEMPORAL_ADDRESS: servers.temporalAddress,
      TEMPORAL_NAMESPACE: servers.temporalNamespace,
      SLA_TASK_QUEUE: `${run}-sla`,
    }),
    start('reporting', { MONGO_URL: db('reporting'), QUEUE_PREFIX: `${run}-reporting` }),
  ]);
  await start('gateway', {
    TICKETS_URL: url('tickets'),
    SLA_URL: url('sla'),
    REPORTING_URL: url('reporting'),
  });
}, 300_000);

afterAll(async () => {
  for (const p of running.values()) p.proc.kill('SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
  await deleteQueues(testServers().amqpUrl, queues);
}, 60_000);

describe('the services run from their image trees', () => {
  it('when all five have started, then the first admin logs in through the gateway and lists tickets', async () => {
    const gateway = running.get('gateway')?.url;
    const login = await fetch(`${gateway}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: admin.username, password: admin.password }),
    });
    expect(login.status).toBe(200);
    const { access } = (await login.json()) as { access: string };
    const tickets = await fetch(`${gateway}/api/tickets/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(tickets.status).toBe(200);
    const ready = await fetch(`${running.get('sla')?.url}/readyz`);
    expect(await ready.json()).toMatchObject({ checks: { temporal: 'ok', worker: 'ok' } });
  }, 60_000);

  it('when each gets SIGTERM, then it drains, logs "stopped" and exits 0', async () => {
    for (const service of ['gateway', 'reporting', 'sla', 'tickets', 'identity']) {
      const p = running.get(service);
      if (!p) throw new Error(`${service} is not running`);
      expect({ service, code: await terminate(p) }).toEqual({ service, code: 0 });
      expect(p.output()).toMatch(/"msg":"stopped"/);
    }
  }, 120_000);
});
