// identity + tickets + gateway as their own processes (each its main.ts, as scripts/stack.sh and
// e2e/src/stack.ts start them) on free 127.0.0.1 ports, with fresh databases, for the tickets
// benchmark. Whatever is started here is stopped again on exit, on an error and on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deleteQueues } from '../../../libs/testkit/src/delete-queues.ts';
// The module itself, not the package: its index needs vitest.
import { type ServiceProcess, startService, stopService } from '../../../libs/testkit/src/service-process.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STOP_TIMEOUT_MS = 10_000;

export interface Servers {
  mongoUrl: string;
  amqpUrl: string;
}

export interface TicketsStack {
  gateway: ServiceProcess;
  tickets: ServiceProcess;
  identity: ServiceProcess;
  /** Database names on the MongoDB server, for the benchmark's own connection and the clean-up. */
  dbs: { identity: string; tickets: string };
  stop(): Promise<void>;
}

/** MONGO_URL / AMQP_URL from the environment, else the test servers of `scripts/infra.sh up --test`. */
export function localServers(): Servers {
  let { MONGO_URL: mongoUrl, AMQP_URL: amqpUrl } = process.env;
  if (!mongoUrl || !amqpUrl) {
    const exports = execFileSync('scripts/infra.sh', ['up', '--test'], { cwd: ROOT, encoding: 'utf8' });
    mongoUrl = /export MONGO_URL=(\S+)/.exec(exports)?.[1];
    amqpUrl = /export AMQP_URL=(\S+)/.exec(exports)?.[1];
    if (!mongoUrl || !amqpUrl) throw new Error(`scripts/infra.sh gave no MONGO_URL / AMQP_URL:\n${exports}`);
  }
  return { mongoUrl: unquote(mongoUrl), amqpUrl: unquote(amqpUrl) };
}

/**
 * The pids of the local MongoDB stand-in and RabbitMQ node, from scripts/infra.sh's pid files (for
 * RabbitMQ the Erlang VM under its start script); none when they are not running from there.
 */
export function serverPids(): { mongo?: number; rabbitmq?: number } {
  const read = (path: string) => {
    try {
      return (
        Number(
          readFileSync(path.startsWith('/') ? path : ROOT + path, 'utf8')
            .trim()
            .split(/\s+/)[0],
        ) || undefined
      );
    } catch {
      return undefined;
    }
  };
  const mongo = read('.data/run/mongo-test.pid');
  const script = read('.data/run/rabbitmq.pid');
  const rabbitmq =
    script === undefined ? undefined : (read(`/proc/${script}/task/${script}/children`) ?? script);
  return { ...(mongo ? { mongo } : {}), ...(rabbitmq ? { rabbitmq } : {}) };
}

const unquote = (s: string) => s.replace(/^(['"])(.*)\1$/, '$2');

/** `base` (a single-host MongoDB URL) with its database replaced by `db`; options are kept. */
export function dbUrl(base: string, db: string): string {
  const url = new URL(base);
  url.pathname = `/${db}`;
  return url.href;
}

export async function startTicketsStack(servers: Servers): Promise<TicketsStack> {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbs = { identity: `bench_identity_${suffix}`, tickets: `bench_tickets_${suffix}` };
  // As deployed: production mode (identity then refuses to run without an internal token).
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    AMQP_URL: servers.amqpUrl,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  };
  // Queues of this run's own: the default ones are durable and shared, so the service would take
  // whatever other runs left in them (and leave them to collect events after it).
  const queuePrefix = `bench-tickets-${suffix}`;
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const s of [...started].reverse()) await stopService(s, { killAfterMs: STOP_TIMEOUT_MS });
    await deleteQueues(servers.amqpUrl, [`${queuePrefix}.users`, `${queuePrefix}.escalations`]).catch((err) =>
      console.error('clean-up of the queues:', err),
    );
  };
  try {
    const identity = await startService('identity', {
      ...common,
      MONGO_URL: dbUrl(servers.mongoUrl, dbs.identity),
      TRUST_PROXY: 'true',
    });
    started.push(identity);
    const upstreams = { IDENTITY_URL: identity.url, JWKS_URL: `${identity.url}/api/auth/jwks.json` };
    const tickets = await startService('tickets', {
      ...common,
      ...upstreams,
      MONGO_URL: dbUrl(servers.mongoUrl, dbs.tickets),
      QUEUE_PREFIX: queuePrefix,
    });
    started.push(tickets);
    const gateway = await startService('gateway', {
      ...common,
      ...upstreams,
      TICKETS_URL: tickets.url,
      // One user drives thousands of requests a minute here; the limits are the only setting changed.
      RATE_LIMIT_USER_MAX: '100000000',
      RATE_LIMIT_IP_MAX: '100000000',
    });
    started.push(gateway);
    return { gateway, tickets, identity, dbs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
