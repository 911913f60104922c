// Report query latency over HTTP against a reporting app, and the evidence of how its reads reach
// MongoDB: every command one request sends (captured with mongoose's debug hook) and, for each
// find, what the server's `explain` says (or that the server cannot explain).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { stopping } from '../tickets/context.ts';

export const REPORTS = ['stats', 'sla', 'agents', 'backlog'] as const;
export type Report = (typeof REPORTS)[number];

/** `requests` sequential GETs of each report (after `warmup` unmeasured ones, none after `budgetMs`), one client, keep-alive. */
export async function timeReports(
  baseUrl: string,
  token: string,
  query: (report: Report) => string,
  opts: { requests: number; warmup: number; budgetMs: number },
): Promise<Record<Report, number[]>> {
  const out = {} as Record<Report, number[]>;
  for (const report of REPORTS) {
    const url = `${baseUrl}/api/reports/${report}/${query(report)}`;
    const times: number[] = [];
    const deadline = performance.now() + opts.budgetMs;
    for (let i = 0; i < opts.warmup + opts.requests && performance.now() < deadline; i++) {
      stopping.signal.throwIfAborted();
      const t0 = performance.now();
      const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${body.slice(0, 300)}`);
      if (i >= opts.warmup) times.push(performance.now() - t0);
    }
    out[report] = times;
  }
  return out;
}

/** The mongoose the reporting service runs on (pnpm gives every package the same store copy). */
async function serviceMongoose() {
  const require = createRequire(new URL('../../../services/reporting/package.json', import.meta.url));
  const mod = await import(pathToFileURL(require.resolve('mongoose')).href);
  return (mod.default ?? mod) as typeof import('mongoose');
}

export interface CapturedQuery {
  collection: string;
  method: string;
  filter: unknown;
  options: unknown;
}

/** The MongoDB operations `request` causes in this process's mongoose, in order. */
export async function captureQueries(request: () => Promise<unknown>): Promise<CapturedQuery[]> {
  const mongoose = await serviceMongoose();
  const seen: CapturedQuery[] = [];
  mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    seen.push({ collection, method, filter: args[0], options: args[1] });
  });
  try {
    await request();
  } finally {
    mongoose.set('debug', false);
  }
  return seen;
}

/** `explain` of each captured find on the server, or the server's refusal, one line each. */
export async function explainAll(
  db: { command: (cmd: Record<string, unknown>) => Promise<Record<string, unknown>> },
  queries: CapturedQuery[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const q of queries) {
    if (!['find', 'findOne', 'aggregate', 'countDocuments'].includes(q.method)) continue;
    const command =
      q.method === 'aggregate'
        ? { aggregate: q.collection, pipeline: q.filter, cursor: {} }
        : { find: q.collection, filter: q.filter };
    try {
      const plan = await db.command({ explain: command, verbosity: 'queryPlanner' });
      const winning = (plan.queryPlanner as { winningPlan?: unknown } | undefined)?.winningPlan;
      lines.push(`explain ${q.collection}.${q.method}: ${JSON.stringify(winning ?? plan).slice(0, 300)}`);
    } catch (err) {
      lines.push(
        `explain ${q.collection}.${q.method}: not supported by this server (${(err as Error).message.slice(0, 120)})`,
      );
    }
  }
  return lines;
}
