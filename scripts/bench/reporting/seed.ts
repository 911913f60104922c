// Seeds an org's reports by handing generated envelopes to the service's own ingest function (the
// code path its consumer runs for every delivery), in batches of whole tickets, bounded in time.
import type { Envelope } from '../../../libs/contracts/src/index.ts';
import { stopping } from '../tickets/context.ts';
import { checkContracts, type OrgShape, ticketEvents } from './events.ts';

export interface SeedResult {
  tickets: number;
  events: number;
  seconds: number;
  /** Events per second over the whole seeding. */
  rate: number;
  reachedTarget: boolean;
  types: Record<string, number>;
}

/**
 * Up to `tickets` tickets' events, `batchTickets` tickets a batch, `concurrency` batches at once,
 * none started after `budgetMs`. Every envelope of the first batch is checked against libs/contracts.
 */
export async function seedOrg(
  org: OrgShape,
  ingest: (events: Envelope[]) => Promise<unknown>,
  opts: {
    tickets: number;
    budgetMs: number;
    batchTickets: number;
    concurrency: number;
    now: number;
    firstNumber?: number;
    progress?: (r: SeedResult) => void;
  },
): Promise<SeedResult> {
  const began = performance.now();
  const deadline = began + opts.budgetMs;
  const result: SeedResult = { tickets: 0, events: 0, seconds: 0, rate: 0, reachedTarget: false, types: {} };
  let next = 0;
  let lastReport = began;
  const worker = async () => {
    while (next < opts.tickets && performance.now() < deadline && !stopping.signal.aborted) {
      const from = next;
      const to = Math.min(opts.tickets, next + opts.batchTickets);
      next = to;
      const batch: Envelope[] = [];
      for (let n = from; n < to; n++) batch.push(...ticketEvents(org, (opts.firstNumber ?? 1) + n, opts.now));
      if (from === 0) result.types = checkContracts(batch);
      await ingest(batch);
      result.tickets += to - from;
      result.events += batch.length;
      if (opts.progress && performance.now() - lastReport > 60_000) {
        lastReport = performance.now();
        opts.progress({
          ...result,
          seconds: (lastReport - began) / 1000,
          rate: result.events / ((lastReport - began) / 1000),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  stopping.signal.throwIfAborted();
  result.seconds = (performance.now() - began) / 1000;
  result.rate = result.events / result.seconds;
  result.reachedTarget = result.tickets >= opts.tickets;
  return result;
}
