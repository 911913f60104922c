// Event lag phase: identity, tickets and reporting as their own processes (their main.ts,
// production mode); this process drives status changes through the tickets API at a steady rate
// and polls the reports API, and matches each change's response to the first report that counts it.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteQueues } from '../../../libs/testkit/src/delete-queues.ts';
import { type ServiceProcess, startService, stopService } from '../../../libs/testkit/src/service-process.ts';
import { stopping } from '../tickets/context.ts';
import { dbUrl, type Servers } from '../tickets/stack.ts';

export interface LagStack {
  identity: ServiceProcess;
  tickets: ServiceProcess;
  reporting: ServiceProcess;
  dbs: string[];
  stop(): Promise<void>;
}

/** `dropDb` drops a database on the same server: the stack's three go at its stop. */
export async function startLagStack(
  servers: Servers,
  dropDb: (name: string) => Promise<unknown>,
): Promise<LagStack> {
  const tag = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbs = ['identity', 'tickets', 'reporting'].map((s) => `bench_rep_${s}_${tag}`);
  const prefix = (s: string) => `bench-rep-${s}-${tag}`;
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    AMQP_URL: servers.amqpUrl,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  };
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const s of [...started].reverse()) await stopService(s, { killAfterMs: 10_000 });
    for (const db of dbs) await dropDb(db).catch((err) => console.error(`clean-up of ${db}:`, err));
    await deleteQueues(servers.amqpUrl, [
      `${prefix('tickets')}.users`,
      `${prefix('tickets')}.escalations`,
      `${prefix('reporting')}.events`,
    ]).catch((err) => console.error('clean-up of the queues:', err));
  };
  try {
    const identity = await startService('identity', {
      ...common,
      MONGO_URL: dbUrl(servers.mongoUrl, dbs[0] as string),
      TRUST_PROXY: 'true',
    });
    started.push(identity);
    const upstream = { IDENTITY_URL: identity.url, JWKS_URL: `${identity.url}/api/auth/jwks.json` };
    const [tickets, reporting] = await Promise.all([
      startService('tickets', {
        ...common,
        ...upstream,
        MONGO_URL: dbUrl(servers.mongoUrl, dbs[1] as string),
        QUEUE_PREFIX: prefix('tickets'),
      }),
      startService('reporting', {
        ...common,
        ...upstream,
        MONGO_URL: dbUrl(servers.mongoUrl, dbs[2] as string),
        QUEUE_PREFIX: prefix('reporting'),
      }),
    ]);
    started.push(tickets, reporting);
    return { identity, tickets, reporting, dbs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface LagResult {
  changes: number;
  ok: number;
  failed: number;
  firstError?: string;
  rate: number;
  /** From the change's HTTP response to the first report response that counts it. */
  lag: number[];
  /** The same, from when the change was sent (an upper bound of commit → visible). */
  lagFromSend: number[];
  pollMs: number[];
  /** How long the tickets service took to answer each change. */
  answerMs: number[];
  unseen: number;
}

/**
 * `rate` changes a second for `seconds` on `tickets` pre-created tickets, each ticket resolved,
 * reopened, resolved... (every change counts one in the stats' resolved + reopened); a ticket's
 * next change waits for its previous one, so none is a no-op. Reports are polled every `pollGapMs`.
 */
export async function driveLag(
  stack: LagStack,
  token: string,
  opts: { rate: number; seconds: number; tickets: string[]; pollGapMs: number; drainMs: number },
): Promise<LagResult> {
  const authed = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const counted = async () => {
    const r = await fetch(`${stack.reporting.url}/api/reports/stats/`, { headers: authed });
    if (!r.ok) throw new Error(`stats answered ${r.status}: ${await r.text()}`);
    const { totals } = (await r.json()) as { totals: { resolved: number; reopened: number } };
    return totals.resolved + totals.reopened;
  };
  const base = await counted();
  const polls: Array<{ at: number; count: number }> = [];
  const pollMs: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling && !stopping.signal.aborted) {
      const t0 = performance.now();
      const count = await counted();
      const at = performance.now();
      pollMs.push(at - t0);
      polls.push({ at, count: count - base });
      await sleep(opts.pollGapMs);
    }
  })();

  const total = opts.rate * opts.seconds;
  const chains = new Map<string, Promise<void>>();
  const done: Array<{ sent: number; answered: number }> = [];
  let failed = 0;
  let firstError: string | undefined;
  const passes = new Map<string, number>();
  const change = async (id: string) => {
    const pass = passes.get(id) ?? 0;
    passes.set(id, pass + 1);
    const status = pass % 2 === 0 ? 'resolved' : 'open';
    const sent = performance.now();
    const r = await fetch(`${stack.tickets.url}/api/tickets/${id}/status/`, {
      method: 'POST',
      headers: authed,
      body: JSON.stringify({ status }),
    });
    const answered = performance.now();
    await r.arrayBuffer();
    if (r.status === 200) done.push({ sent, answered });
    else {
      failed += 1;
      firstError ??= `${r.status} on ${status}`;
    }
  };
  const began = performance.now();
  let issued = 0;
  while (issued < total && !stopping.signal.aborted) {
    const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * opts.rate) + 1);
    for (; issued < due; issued += 1) {
      const id = opts.tickets[issued % opts.tickets.length] as string;
      const next = (chains.get(id) ?? Promise.resolve()).then(() => change(id));
      chains.set(
        id,
        next.catch((err) => {
          failed += 1;
          firstError ??= String(err);
        }),
      );
    }
    await sleep(1);
  }
  await Promise.all(chains.values());
  const seconds = (performance.now() - began) / 1000;
  const deadline = performance.now() + opts.drainMs;
  while (performance.now() < deadline && (polls.at(-1)?.count ?? 0) < done.length) await sleep(20);
  polling = false;
  await poller;
  stopping.signal.throwIfAborted();

  // The k-th change to be answered is taken as seen in the first poll that counts k changes.
  const answered = [...done].sort((a, b) => a.answered - b.answered);
  const lag: number[] = [];
  const lagFromSend: number[] = [];
  let p = 0;
  let unseen = 0;
  answered.forEach((c, i) => {
    while (p < polls.length && (polls[p]?.count ?? 0) < i + 1) p += 1;
    const poll = polls[p];
    if (!poll) {
      unseen += 1;
      return;
    }
    lag.push(Math.max(0, poll.at - c.answered));
    lagFromSend.push(poll.at - c.sent);
  });
  return {
    changes: issued,
    ok: done.length,
    failed,
    ...(firstError ? { firstError } : {}),
    rate: done.length / seconds,
    lag,
    lagFromSend,
    pollMs,
    answerMs: done.map((c) => c.answered - c.sent),
    unseen,
  };
}
