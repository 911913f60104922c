// Create: tickets through the gateway next to raw inserts of the same documents into another
// database on the same MongoDB server, at the same concurrency. Two more sides say where the
// difference goes: the tickets service without the gateway, and the raw driver doing the two
// writes the service's repository does (the org's counter, then the ticket).
import { ticketModel } from '../../../services/tickets/src/infra/ticket.model.ts';
import {
  type BenchContext,
  countersOf,
  outboxDrained,
  type TicketsCollection,
  ticketsOf,
} from './context.ts';
import { createBody, createdTicketDoc } from './docs.ts';
import {
  type CpuSample,
  cpuSpent,
  latencyCells,
  latencyHeader,
  merge,
  pool,
  type Run,
  rate,
  sampleCpu,
} from './stats.ts';

export interface CreateOptions {
  creates: number;
  concurrency: number;
  rounds: number;
  warmup: number;
  budgetMs: number;
  target: number;
}

interface Side {
  name: string;
  /** The service's sides: their events go out after the answer, so their CPU is counted after the outbox drained. */
  service: boolean;
  /** Prepares `n` calls (outside the timing) and returns the call. */
  prepare(n: number): (i: number) => Promise<void>;
  runs: Run[];
  cpu: CpuSample[];
}

export async function benchCreate(ctx: BenchContext, opts: CreateOptions) {
  const client = ctx.store.conn.getClient();
  // The raw side's collection has the service's indexes too, so both pay the same index upkeep.
  await ticketModel(ctx.store.conn.useDb(ctx.rawDb, { useCache: false })).createIndexes();
  const raw = ticketsOf(client.db(ctx.rawDb));
  const rawCounters = countersOf(client.db(ctx.rawDb));
  let rawNumber = 0;
  let bodies = 0;
  const rawDocs = (n: number) =>
    Array.from({ length: n }, (_, i) => createdTicketDoc(ctx.admin, ++rawNumber, createBody(i)));
  const post = (base: string) => () => async () => {
    const res = await fetch(`${base}/api/tickets/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(createBody(bodies++)),
    });
    if (res.status !== 201) throw new Error(`POST /api/tickets/ answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const side = (name: string, service: boolean, prepare: Side['prepare']): Side => ({
    name,
    service,
    prepare,
    runs: [],
    cpu: [],
  });
  const sides = [
    side('raw driver insertOne (same document)', false, (n) => {
      const docs = rawDocs(n);
      return async (i) => {
        await raw.insertOne(docs[i] as (typeof docs)[number]);
      };
    }),
    side('raw driver counter $inc + insertOne', false, (n) => {
      const docs = rawDocs(n);
      return async (i) => {
        await rawCounters.findOneAndUpdate(
          { _id: ctx.admin.orgId },
          { $inc: { seq: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        await raw.insertOne(docs[i] as (typeof docs)[number]);
      };
    }),
    side('tickets POST /api/tickets/ (directly)', true, post(ctx.stack.tickets.url)),
    side('gateway POST /api/tickets/', true, post(ctx.stack.gateway.url)),
  ];

  const deadline = performance.now() + opts.budgetMs;
  for (const s of sides) await pool(opts.warmup, opts.concurrency, deadline, s.prepare(opts.warmup));
  await outboxDrained(ctx);
  await checkShape(ticketsOf(client.db(ctx.stack.dbs.tickets)), raw, ctx.admin.orgId);

  // Interleaved rounds, the order rotating each round: a burst of foreign load hits every side.
  const perRound = Math.ceil(opts.creates / opts.rounds);
  for (let round = 0; round < opts.rounds; round++) {
    for (let k = 0; k < sides.length; k++) {
      const s = sides[(k + round) % sides.length] as Side;
      const op = s.prepare(perRound);
      const before = sampleCpu(ctx.pids);
      s.runs.push(await pool(perRound, opts.concurrency, deadline, op));
      if (s.service && !(await outboxDrained(ctx)))
        console.log(`(${s.name}: the outbox did not drain in time)`);
      s.cpu.push(cpuSpent(before, sampleCpu(ctx.pids)));
    }
  }
  report(sides, opts, perRound);
}

function report(sides: Side[], opts: CreateOptions, perRound: number) {
  console.log(
    `\ncreate: ${perRound * opts.rounds} tickets a side, ${opts.concurrency} concurrent, ${opts.rounds} ` +
      `interleaved rounds (after ${opts.warmup} warm-up creates a side)`,
  );
  console.log(`${'side'.padEnd(40)}${'ops/s'.padStart(8)}${latencyHeader()}${'errors'.padStart(8)}`);
  const merged = sides.map((s) => merge(s.runs));
  sides.forEach((s, i) => {
    const r = merged[i] as Run;
    console.log(
      `${s.name.padEnd(40)}${rate(r).toFixed(0).padStart(8)}${latencyCells(r.latencies)}${String(r.errors).padStart(8)}`,
    );
    if (r.firstError) console.log(`  first error: ${r.firstError}`);
  });

  const names = [...new Set(sides.flatMap((s) => s.cpu.flatMap((c) => [...c.keys()])))].filter(
    (n) => n !== 'machine',
  );
  console.log(
    '\nCPU per create in ms, from /proc (service sides until their outbox drained; others = every other ' +
      'process on the machine):',
  );
  console.log(`${'side'.padEnd(40)}${[...names, 'others'].map((n) => n.padStart(10)).join('')}`);
  sides.forEach((s, i) => {
    const done = (merged[i] as Run).latencies.length || 1;
    const spent = (n: string) => s.cpu.reduce((sum, c) => sum + (c.get(n) ?? 0), 0) / done;
    const ours = names.map(spent);
    const others = spent('machine') - ours.reduce((a, b) => a + b, 0);
    console.log(`${s.name.padEnd(40)}${[...ours, others].map((ms) => ms.toFixed(2).padStart(10)).join('')}`);
  });

  const [rawRun, , , gatewayRun] = merged as [Run, Run, Run, Run];
  const ratio = rate(gatewayRun) / rate(rawRun);
  const ok = ratio >= opts.target && gatewayRun.errors === 0;
  console.log(
    `\ncreate, gateway / raw insert rate: ${ratio.toFixed(3)}  (target >= ${opts.target})  ${ok ? 'PASS' : 'FAIL'}`,
  );
}

/** The raw side must insert what the service stores: the same fields, about the same size. */
async function checkShape(stored: TicketsCollection, raw: TicketsCollection, orgId: string) {
  const service = await stored.findOne({ orgId }, { sort: { number: -1 } });
  const mine = await raw.findOne({ orgId });
  if (!service || !mine) throw new Error('no ticket to compare the raw document with');
  const keys = (d: object) => Object.keys(d).sort().join(',');
  const historyKeys = (d: typeof mine) => keys(d.history?.[0] ?? {});
  if (keys(service) !== keys(mine) || historyKeys(service) !== historyKeys(mine)) {
    throw new Error(`the raw document differs from the service's:\n${keys(service)}\n${keys(mine)}`);
  }
  // The relay has emptied the service's outbox by now; compare the rest.
  const size = (d: object) => Buffer.byteLength(JSON.stringify({ ...d, outbox: [] }));
  console.log(
    `document: the service's ${Object.keys(service).length} fields (history and outbox included), ` +
      `JSON size without the outbox ${size(service)} B (service) vs ${size(mine)} B (raw)`,
  );
}
