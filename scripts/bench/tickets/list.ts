// List: an org with a large backlog, seeded straight into the tickets service's database, listed
// through the gateway, from the tickets service directly and with the raw driver running the
// query the service's repository builds; the three interleaved, one request at a time.
import { PENDING_OUTBOX_FILTER } from '../../../libs/messaging/src/index.ts';
import type { TicketDoc } from '../../../services/tickets/src/infra/ticket.model.ts';
import { type BenchContext, countersOf, stopping, type TicketsCollection, ticketsOf } from './context.ts';
import { createBody, type SeedPeople, seededTicketDocs, seedPeople } from './docs.ts';
import { latencyCells, latencyHeader, percentile } from './stats.ts';

export interface ListOptions {
  seed: number;
  requests: number;
  budgetMs: number;
  page: number;
  targetP99Ms: number;
}

interface Side {
  name: string;
  call: () => Promise<unknown>;
}

interface Page {
  results: { id: string; created_at: string }[];
  next: string | null;
}

const SEED_BATCH = 5_000;
const WARMUP = 5;
const DIAGNOSTIC_RUNS = 15;

export async function benchList(ctx: BenchContext, opts: ListOptions) {
  const db = ctx.store.conn.getClient().db(ctx.stack.dbs.tickets);
  const tickets = ticketsOf(db);
  const counters = countersOf(db);
  const people = seedPeople(ctx.admin);
  const before = (await counters.findOne({ _id: ctx.admin.orgId }))?.seq ?? 0;
  const seconds = await seed(tickets, people, before + 1, opts.seed);
  // As the repository keeps it: the last number handed out, so the service goes on after the seed.
  await counters.updateOne({ _id: ctx.admin.orgId }, { $max: { seq: before + opts.seed } }, { upsert: true });
  await checkNextNumber(ctx, before + opts.seed + 1);
  const total = await tickets.countDocuments({ orgId: ctx.admin.orgId });
  console.log(
    `\nseeded ${opts.seed} tickets (numbers ${before + 1}..${before + opts.seed}) with insertMany in ` +
      `${seconds.toFixed(1)} s; ${total} tickets in the org`,
  );

  const auth = { authorization: `Bearer ${ctx.admin.token}` };
  const get = (base: string, query: string) => async (): Promise<Page> => {
    const res = await fetch(`${base}/api/tickets/?limit=${opts.page}${query}`, { headers: auth });
    if (res.status !== 200) throw new Error(`GET /api/tickets/ answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Page;
  };
  const first = await get(ctx.stack.gateway.url, '')();
  const last = first.results.at(-1);
  if (!first.next || !last) throw new Error('the first page has no next cursor');
  const agent = people.agents[0] as string;
  const org = { orgId: ctx.admin.orgId };
  const lastAt = new Date(last.created_at);
  // The filters ticket.repository.ts builds for an admin, whose scope is the org alone.
  const scenarios = [
    { name: 'first page', query: '', filter: org },
    {
      name: 'status=open',
      query: '&status=open',
      filter: { $and: [org, { status: { $in: ['open' as const] } }] },
    },
    {
      name: 'assigned_to=<agent>',
      query: `&assigned_to=${agent}`,
      filter: { $and: [org, { assigneeId: agent }] },
    },
    {
      name: 'second page (cursor)',
      query: `&cursor=${encodeURIComponent(first.next)}`,
      filter: {
        $and: [org, { $or: [{ createdAt: { $lt: lastAt } }, { createdAt: lastAt, _id: { $lt: last.id } }] }],
      },
    },
  ];
  // What mongoose leaves out of a list (select: false in ticket.model.ts); the service reads lean().
  const projection = { comments: 0, history: 0, escalations: 0, outbox: 0 };

  console.log(
    `\nlist: GET /api/tickets/?limit=${opts.page} (default sort -created) as the org's admin, one request at ` +
      `a time, the three sides interleaved; ${opts.requests} each or ${opts.budgetMs / 1000} s per scenario, ` +
      `after ${WARMUP} warm-up calls`,
  );
  console.log(`${'scenario'.padEnd(24)}${'side'.padEnd(34)}${'n'.padStart(5)}${latencyHeader()}`);
  const verdicts: string[] = [];
  const splits: string[] = [];
  for (const s of scenarios) {
    const rawFind = () =>
      tickets
        .find(s.filter, { projection })
        .sort({ createdAt: -1, _id: -1 })
        .limit(opts.page + 1)
        .toArray();
    const sides: Side[] = [
      { name: 'gateway -> tickets', call: get(ctx.stack.gateway.url, s.query) },
      { name: 'tickets directly', call: get(ctx.stack.tickets.url, s.query) },
      { name: `raw driver find.sort.limit(${opts.page + 1})`, call: rawFind },
    ];
    await samePage(s.name, opts.page, get(ctx.stack.gateway.url, s.query), rawFind);
    const times = await interleaved(sides, opts);
    times.forEach((t, i) => {
      const label = i === 0 ? s.name : '';
      console.log(
        `${label.padEnd(24)}${(sides[i] as Side).name.padEnd(34)}${String(t.length).padStart(5)}${latencyCells(t)}`,
      );
    });
    const [gateway = [], direct = [], raw = []] = times;
    const p99 = percentile(gateway, 99);
    verdicts.push(
      `${s.name}: p99 ${p99.toFixed(1)} ms of ${gateway.length}  ${p99 < opts.targetP99Ms ? 'PASS' : 'FAIL'}`,
    );
    // The three calls of a step ran back to back: their differences see the same load.
    const minus = (a: number[], b: number[]) =>
      percentile(
        a.map((t, i) => t - (b[i] ?? Number.NaN)),
        50,
      );
    splits.push(
      `${s.name.padEnd(22)}MongoDB ${percentile(raw, 50).toFixed(1).padStart(7)} ms, tickets service ` +
        `${minus(direct, raw).toFixed(1).padStart(6)} ms, gateway ${minus(gateway, direct).toFixed(1).padStart(6)} ms`,
    );
  }
  console.log(
    '\nwhere the time goes: the raw query p50, then medians of per-step differences (service = directly - raw ' +
      'driver, gateway = through the gateway - directly):',
  );
  for (const line of splits) console.log(`  ${line}`);
  await diagnose(tickets, ctx.admin.orgId);
  console.log(
    `\nlist p99 through the gateway with ${total} tickets in the org, target < ${opts.targetP99Ms} ms ` +
      '(of fewer than 100 requests, the p99 is the slowest):',
  );
  for (const line of verdicts) console.log(`  ${line}`);
}

async function seed(tickets: TicketsCollection, people: SeedPeople, firstNumber: number, count: number) {
  const began = performance.now();
  // One every 5 minutes up to a day ago: about a year of an org's tickets, every one in the past.
  const docs = seededTicketDocs(people, firstNumber, count, new Date(Date.now() - 86_400_000), 300_000);
  let batch: TicketDoc[] = [];
  for (const doc of docs) {
    batch.push(doc);
    if (batch.length === SEED_BATCH) {
      stopping.signal.throwIfAborted();
      await tickets.insertMany(batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length) await tickets.insertMany(batch, { ordered: false });
  return (performance.now() - began) / 1000;
}

/** One create through the gateway: the service numbers on after the seeded tickets. */
async function checkNextNumber(ctx: BenchContext, expected: number) {
  const res = await fetch(`${ctx.stack.gateway.url}/api/tickets/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(createBody(0)),
  });
  const { number } = (await res.json()) as { number?: string };
  if (number !== `HD-${String(expected).padStart(6, '0')}`) {
    throw new Error(
      `after the seed the next ticket is ${number} (${res.status}), expected number ${expected}`,
    );
  }
}

/** The raw side must run the service's query: both give the same page. */
async function samePage(
  name: string,
  size: number,
  viaGateway: () => Promise<Page>,
  raw: () => Promise<TicketDoc[]>,
) {
  const [page, docs] = await Promise.all([viaGateway(), raw()]);
  const ids = (xs: { id?: string; _id?: string }[]) => xs.map((x) => x.id ?? x._id).join();
  if (page.results.length !== size || ids(page.results) !== ids(docs.slice(0, size))) {
    throw new Error(
      `${name}: the raw query does not give the service's page (${page.results.length} results)`,
    );
  }
}

/** One call of each side per step, sequentially, the order rotating; bounded in count and time. */
async function interleaved(sides: Side[], opts: ListOptions): Promise<number[][]> {
  const times = sides.map(() => [] as number[]);
  for (let i = 0; i < WARMUP; i++) for (const s of sides) await s.call();
  const deadline = performance.now() + opts.budgetMs;
  for (let step = 0; step < opts.requests && performance.now() < deadline; step++) {
    stopping.signal.throwIfAborted();
    for (let k = 0; k < sides.length; k++) {
      const i = (step + k) % sides.length;
      const t0 = performance.now();
      await (sides[i] as Side).call();
      (times[i] as number[]).push(performance.now() - t0);
    }
  }
  return times;
}

/**
 * What the MongoDB server itself costs for queries over the org, to tell a slow query plan from
 * a server that scans whatever the indexes: a lookup by `_id` next to whole-org queries, and the
 * query the outbox relay runs every second.
 */
async function diagnose(tickets: TicketsCollection, orgId: string) {
  const some = await tickets.findOne({ orgId }, { projection: { _id: 1 } });
  const queries: [string, () => Promise<unknown>][] = [
    ['findOne by _id', () => tickets.findOne({ _id: some?._id ?? '' }, { projection: { _id: 1 } })],
    [
      'find {orgId}.limit(21), no sort',
      () =>
        tickets
          .find({ orgId }, { projection: { _id: 1 } })
          .limit(21)
          .toArray(),
    ],
    [
      'find {orgId}.sort(-createdAt,-_id).limit(21)',
      () =>
        tickets
          .find({ orgId }, { projection: { _id: 1 } })
          .sort({ createdAt: -1, _id: -1 })
          .limit(21)
          .toArray(),
    ],
    ['countDocuments {orgId}', () => tickets.countDocuments({ orgId })],
    // The outbox relay of every tickets replica runs these two each second, whether anything is pending or not.
    ['relay: countDocuments(pending outbox)', () => tickets.countDocuments(PENDING_OUTBOX_FILTER)],
    [
      'relay: find(pending outbox).sort(outbox.at).limit(100)',
      () =>
        tickets
          .find(PENDING_OUTBOX_FILTER, { projection: { _id: 1, outbox: 1 } })
          .sort({ 'outbox.at': 1 })
          .limit(100)
          .toArray(),
    ],
  ];
  console.log(`\nthe MongoDB server alone, raw driver, ${DIAGNOSTIC_RUNS} runs each:`);
  console.log(`${'query'.padEnd(58)}${latencyHeader()}`);
  for (const [name, run] of queries) {
    const t: number[] = [];
    for (let i = 0; i < DIAGNOSTIC_RUNS; i++) {
      stopping.signal.throwIfAborted();
      const t0 = performance.now();
      await run();
      t.push(performance.now() - t0);
    }
    console.log(`${name.padEnd(58)}${latencyCells(t)}`);
  }
  // The server's own word on the list's plans (the service's filter shapes; the values do not
  // change a plan): each page should be one index range, no scan.
  const newest = { createdAt: -1, _id: -1 } as const;
  const last = await tickets.find({ orgId }).sort(newest).skip(20).limit(1).next();
  const plans: [string, object][] = [
    ['first page', { orgId }],
    ['status=open', { $and: [{ orgId }, { status: { $in: ['open'] } }] }],
    ['assigned_to=<agent>', { $and: [{ orgId }, { assigneeId: 'any-agent' }] }],
    [
      'second page (cursor)',
      {
        $and: [
          { orgId },
          { createdAt: { $lte: last?.createdAt } },
          {
            $or: [
              { createdAt: { $lt: last?.createdAt } },
              { createdAt: last?.createdAt, _id: { $lt: last?._id } },
            ],
          },
        ],
      },
    ],
  ];
  console.log('\nexplain of the list queries (sort -createdAt, -_id, limit 21):');
  for (const [name, filter] of plans) {
    const plan = await tickets
      .find(filter)
      .sort(newest)
      .limit(21)
      .explain('queryPlanner')
      .catch((err: Error) => err);
    console.log(
      `  ${name.padEnd(24)}${plan instanceof Error ? `not available: ${plan.message.slice(0, 80)}` : stages(plan)}`,
    );
  }
}

/** A winning plan as its chain of stages, with the index an IXSCAN uses. */
function stages(explained: unknown): string {
  const out: string[] = [];
  let stage = (explained as { queryPlanner?: { winningPlan?: unknown } }).queryPlanner?.winningPlan as
    | { stage?: string; indexName?: string; inputStage?: unknown }
    | undefined;
  while (stage) {
    out.push(stage.indexName ? `${stage.stage} ${stage.indexName}` : String(stage.stage));
    stage = stage.inputStage as typeof stage;
  }
  return out.join(' > ') || JSON.stringify(explained).slice(0, 120);
}
