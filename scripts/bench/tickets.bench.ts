// Tickets benchmark (issue 3): ticket create and ticket list through the gateway, side by side
// with the raw MongoDB driver on the same server. identity, tickets and gateway run as their own
// processes (their main.ts, production mode) on 127.0.0.1 with fresh databases; the driver and
// the HTTP client run in this process. Every phase is bounded in count and in time; processes
// and databases go away afterwards, also after an error or Ctrl-C.
// Needs the local servers (`scripts/infra.sh up --test`; started here when MONGO_URL is unset).
// Usage: pnpm bench:tickets [--creates=2000] [--concurrency=16] [--seed=100000] [--requests=300]
//   [--budget=30]   (at most this many seconds per list scenario)

import { availableParallelism, cpus, loadavg } from 'node:os';
import { openStore } from '../../services/tickets/src/infra/store.ts';
import { arg, type Cleanup, runBench } from './run.ts';
import { type BenchContext, registerAdmin } from './tickets/context.ts';
import { benchCreate } from './tickets/create.ts';
import { benchList } from './tickets/list.ts';
import { dbUrl, localServers, serverPids, startTicketsStack } from './tickets/stack.ts';

const cleanups: Cleanup[] = [];

await runBench(cleanups, main, {
  onStop: "stopping the services and dropping the benchmark's databases",
  graceMs: 30_000,
});

async function main() {
  const began = performance.now();
  const servers = localServers();
  const stack = await startTicketsStack(servers);
  cleanups.push(stack.stop);
  const store = await openStore(dbUrl(servers.mongoUrl, stack.dbs.tickets));
  const rawDb = `${stack.dbs.tickets}_raw`;
  cleanups.push(async () => {
    // The services first, so none of them writes into a dropped database again.
    await stack.stop();
    const client = store.conn.getClient();
    for (const db of [rawDb, stack.dbs.tickets, stack.dbs.identity]) await client.db(db).dropDatabase();
    await store.close();
  });
  const info = await store.conn.db?.admin().command({ buildInfo: 1 });
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ` +
      `MongoDB ${info?.version ?? '?'} at ${servers.mongoUrl} on this machine; load average ${load()}`,
  );
  console.log(
    'identity, tickets, gateway: their main.ts as separate processes, NODE_ENV=production, LOG_LEVEL=warn; ' +
      'the gateway rate limits raised, as one user drives the whole load',
  );

  const admin = await registerAdmin(stack.gateway.url);
  console.log(`org ${admin.orgId}; databases ${stack.dbs.tickets} (service), ${rawDb} (raw driver)`);
  const ctx: BenchContext = {
    stack,
    store,
    admin,
    rawDb,
    pids: {
      gateway: stack.gateway.proc.pid,
      tickets: stack.tickets.proc.pid,
      identity: stack.identity.proc.pid,
      ...serverPids(),
    },
  };
  await benchCreate(ctx, {
    creates: arg('creates', 2_000),
    concurrency: arg('concurrency', 16),
    rounds: 2,
    warmup: 100,
    budgetMs: 90_000,
    target: 0.25,
  });
  await benchList(ctx, {
    seed: arg('seed', 100_000),
    requests: arg('requests', 300),
    budgetMs: arg('budget', 30) * 1_000,
    page: 20,
    targetP99Ms: 20,
  });
  console.log(`\nbenchmark ran ${((performance.now() - began) / 1000).toFixed(0)} s; load average ${load()}`);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
