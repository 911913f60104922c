import type { Envelope } from '@helpdesk/contracts';
import type { Logger } from '@helpdesk/kit';
import type { Broker, Consumer } from '@helpdesk/messaging';
import { REPORT_EVENT_TYPES, ReportEventSchema } from '../domain/report-events.ts';
import type { ReportingDeps } from '../use-cases/deps.ts';
import { ingestEvents } from '../use-cases/ingest-events.ts';
import { createBatcher } from './batcher.ts';
import { trackFreshEvents } from './fresh-events.ts';

export const DEFAULT_BATCH = { maxSize: 256, maxWaitMs: 5 };

/**
 * Feeds ticket and SLA events to the reports. Exactly-once effect comes from the projections
 * themselves (facts deduplicated per ticket, bucket ops guarded), not from a processed-events
 * marker, so a redelivery after a crash anywhere in between finishes the work and adds nothing.
 *
 * Deliveries are projected in batches, one batch at a time: an org's events all move the same
 * few bucket documents, so events projected side by side would only conflict and retry, while one
 * batch merges them into one write per document. Each delivery is acked only once its own batch
 * (or, after a failed batch, its own event alone) has committed.
 */
export async function consumeReportEvents(
  broker: Pick<Broker, 'consume'>,
  deps: ReportingDeps,
  opts: {
    queuePrefix: string;
    prefetch?: number;
    batch?: { maxSize: number; maxWaitMs: number };
    logger?: Logger;
    acceptEvent?: (event: Envelope) => boolean;
  },
): Promise<Consumer> {
  // A batch is in the reports once its buckets are written; dropping its pending ops and markers
  // runs on beside the next batch's raw log write, and the next batch reads facts only after it.
  let cleaning: Promise<unknown> = Promise.resolve();
  const ingest = async (events: Envelope[]) => {
    const tracker = trackFreshEvents(deps.facts);
    // Each clean-up is given its handler as it is handed over: one that fails while the rest of
    // the batch still runs would otherwise be an unhandled rejection, which ends the process.
    // A failed clean-up released its leases: the next touch of those tickets (or the sweep)
    // finishes it, guarded by the bucket markers, so it only needs telling.
    const cleanups: Promise<void>[] = [];
    const deferCleanup = (p: Promise<void>) =>
      cleanups.push(
        p.catch((err: unknown) =>
          opts.logger?.warn({ err }, 'report batch clean-up failed; left to the sweep'),
        ),
      );
    let applied = 0;
    try {
      ({ applied } = await ingestEvents({ ...deps, facts: tracker.facts }, events, {
        after: cleaning,
        deferCleanup,
      }));
    } finally {
      // Also after a failed batch: some of its ops may be written, their clean-up under way.
      cleaning = Promise.all(cleanups);
    }
    opts.logger?.debug({ size: events.length, applied }, 'report events batch projected');
    return events.map((e) => tracker.isFresh(e.id));
  };
  const batcher = createBatcher<Envelope, boolean>({
    ...(opts.batch ?? DEFAULT_BATCH),
    runBatch: ingest,
    runOne: async (event) => (await ingest([event]))[0] === true,
    onBatchFailed: (err, size) =>
      opts.logger?.warn({ err, size }, 'report events batch failed, projecting its events one by one'),
  });
  const consumer = await broker.consume({
    queue: `${opts.queuePrefix}.events`,
    bindings: [...REPORT_EVENT_TYPES],
    schema: ReportEventSchema,
    ...(opts.prefetch ? { prefetch: opts.prefetch } : {}),
    handler: async (event, { log }) => {
      if (opts.acceptEvent && !opts.acceptEvent(event)) return;
      const fresh = await batcher.add(event);
      log.debug(fresh ? 'event projected' : 'event already projected');
    },
  });
  return {
    // The broker stops delivering and waits for every handler, so every batch has run by then.
    cancel: async () => {
      await consumer.cancel();
      await batcher.close();
      await cleaning;
    },
  };
}
