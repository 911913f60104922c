import type { Envelope } from '@helpdesk/contracts';
import type { Broker } from '@helpdesk/messaging';
import { REPORT_EVENT_TYPES, ReportEventSchema } from '../domain/report-events.ts';
import type { ReportingDeps } from '../use-cases/deps.ts';
import { ingestEvents } from '../use-cases/ingest-events.ts';

/**
 * Feeds ticket and SLA events to the reports. Exactly-once effect comes from the projections
 * themselves (facts deduplicated per ticket, bucket ops guarded), not from a processed-events
 * marker, so a redelivery after a crash anywhere in between finishes the work and adds nothing.
 */
export function consumeReportEvents(
  broker: Pick<Broker, 'consume'>,
  deps: ReportingDeps,
  opts: { queuePrefix: string; prefetch?: number; acceptEvent?: (event: Envelope) => boolean },
) {
  return broker.consume({
    queue: `${opts.queuePrefix}.events`,
    bindings: [...REPORT_EVENT_TYPES],
    schema: ReportEventSchema,
    ...(opts.prefetch ? { prefetch: opts.prefetch } : {}),
    handler: async (event, { log }) => {
      if (opts.acceptEvent && !opts.acceptEvent(event)) return;
      const { applied } = await ingestEvents(deps, [event]);
      log.debug({ applied }, applied ? 'event projected' : 'event already projected');
    },
  });
}
