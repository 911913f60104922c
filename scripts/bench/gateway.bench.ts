// Gateway benchmark: the same upstream route called directly, through a bare node:http reverse
// proxy (the floor any gateway is measured against) and through our gateway, with and without
// an access token. Every server runs on 127.0.0.1 in its own process, autocannon in this one;
// every run is bounded in time.
// Usage: pnpm bench:gateway [--identity] [--duration=3] [--rounds=4]
//   --identity: the real identity service as upstream (services/identity/src/main.ts on the
//   MongoDB stand-in, from MONGO_URL / AMQP_URL or `scripts/infra.sh up --test`), a real user's
//   token, its profile route with the token and its key set without.

import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { benchCredentials } from '../../services/gateway/bench/keys.ts';
import { type Measured, median, report } from '../../services/gateway/bench/report.ts';
import { arg } from './run.ts';

const ROOT = new URL('../../', import.meta.url);
const SERVERS = new URL('services/gateway/bench/', ROOT);
const REAL_IDENTITY = process.argv.includes('--identity');
const PROTECTED = '/api/auth/profile/';
// A GET route the gateway lets through without a token; the default upstream answers every path alike.
const PUBLIC = '/api/auth/jwks.json';
const DURATION_SEC = arg('duration', 3);
const ROUNDS = arg('rounds', 4);
const CONNECTIONS = [1, 50] as const;
/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

interface Server {
  child: ChildProcess;
  url: string;
  describe: string | undefined;
}

const children: ChildProcess[] = [];
try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
}

async function main() {
  const { upstream, token } = REAL_IDENTITY ? await startIdentity() : await startRepresentative();
  const proxy = await start('proxy', { BENCH_TARGET: upstream.url });
  const gateway = await start('gateway', { BENCH_TARGET: upstream.url });
  const auth = { authorization: `Bearer ${token}` };
  const scenarios = [
    { name: 'direct (upstream)', server: upstream, path: PROTECTED, headers: auth },
    { name: 'bare node:http proxy', server: proxy, path: PROTECTED, headers: auth },
    { name: 'gateway, token', server: gateway, path: PROTECTED, headers: auth },
    { name: 'gateway, no token', server: gateway, path: PUBLIC, headers: {} },
  ];

  console.log(`upstream: ${upstream.describe}`);
  console.log(
    `with token: ${PROTECTED} (verified, per-user limit); no token: public ${PUBLIC}` +
      (REAL_IDENTITY ? ' (another handler)' : '; same upstream handler'),
  );
  console.log(
    `median of ${ROUNDS} interleaved rounds of ${DURATION_SEC} s per cell; node ${process.version}\n`,
  );

  for (const s of scenarios) await measure(s.server, s.path, s.headers, 50, 2);
  // Other processes may share the machine: interleaved rounds spread a burst of foreign load
  // over every scenario instead of one.
  const runs = new Map<string, Measured[]>();
  // The order rotates from round to round, and every measured run follows a 1 s warm-up of its
  // own: a server that sat idle meanwhile has shrunk its heap and pays for growing it again.
  for (let round = 0; round < ROUNDS; round++) {
    for (const connections of CONNECTIONS) {
      for (let i = 0; i < scenarios.length; i++) {
        const s = scenarios[(i + round) % scenarios.length] as (typeof scenarios)[number];
        const key = `${s.name}@${connections}`;
        await measure(s.server, s.path, s.headers, connections, 1);
        runs.set(key, [
          ...(runs.get(key) ?? []),
          await measure(s.server, s.path, s.headers, connections, DURATION_SEC),
        ]);
      }
    }
  }
  const cell = (name: string, connections: number) => median(runs.get(`${name}@${connections}`) ?? []);
  const perRound = (name: string, connections: number) => runs.get(`${name}@${connections}`) ?? [];
  report(
    scenarios.map((s) => s.name),
    cell,
    perRound,
    REAL_IDENTITY,
  );
}

async function start(role: string, env: Record<string, string>): Promise<Server> {
  const child = fork(new URL(`${role}.ts`, SERVERS), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  const [msg] = (await once(child, 'message')) as [{ url: string; describe?: string }];
  return { child, url: msg.url, describe: msg.describe };
}

async function startRepresentative(): Promise<{ upstream: Server; token: string }> {
  const { jwks, token } = await benchCredentials();
  return { upstream: await start('upstream', { BENCH_JWKS: jwks }), token };
}

/** identity's own main.ts, as the stack runs it, with a fresh database and one registered user. */
async function startIdentity(): Promise<{ upstream: Server; token: string }> {
  let { MONGO_URL: mongo, AMQP_URL: amqp } = process.env;
  if (!mongo || !amqp) {
    const exports = execFileSync('scripts/infra.sh', ['up', '--test'], { cwd: ROOT, encoding: 'utf8' });
    mongo = /export MONGO_URL=(\S+)/.exec(exports)?.[1];
    amqp = /export AMQP_URL=(\S+)/.exec(exports)?.[1];
    if (!mongo || !amqp) throw new Error(`scripts/infra.sh gave no MONGO_URL / AMQP_URL:\n${exports}`);
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['services/identity/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Required in production; the benchmark's gateway does not read the revocation snapshot.
      INTERNAL_TOKEN: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGO_URL: `${mongo.replace(/\/$/, '')}/bench_identity_${Date.now()}`,
      AMQP_URL: amqp,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 300) throw new Error('identity did not become ready');
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const user = { username: 'bench_agent', email: 'bench@example.test', password: 'a long bench password 1' };
  const post = (path: string, body: object) =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/auth/register/', { ...user, password2: user.password });
  const login = await post('/api/auth/login/', { username: user.username, password: user.password });
  if (!login.ok) throw new Error(`cannot log in to identity: ${login.status}`);
  const { access } = (await login.json()) as { access: string };
  return {
    upstream: { child, url, describe: 'the real identity service (its main.ts) on the MongoDB stand-in' },
    token: access,
  };
}

/** CPU time of a child so far (user + system), from /proc: no help needed from the child. */
async function cpuMicros(server: Server): Promise<number> {
  const stat = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLOCK_TICKS;
}

async function measure(
  server: Server,
  path: string,
  headers: Record<string, string>,
  connections: number,
  durationSec: number,
): Promise<Measured> {
  // autocannon's histogram keeps whole milliseconds; the per-response times it emits do not.
  const times: number[] = [];
  const cpuBefore = await cpuMicros(server);
  // Without a callback autocannon returns its event emitter, which is also the result's promise.
  const instance = autocannon({
    url: server.url + path,
    headers,
    connections,
    duration: durationSec,
  }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) times.push(ms);
  });
  const result = await instance;
  const cpu = (await cpuMicros(server)) - cpuBefore;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return {
    rps: times.length / durationSec,
    p50: at(0.5),
    p99: at(0.99),
    errors: result.errors + result.timeouts + result.non2xx,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
}
