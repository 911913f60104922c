import type { Broker } from '@helpdesk/messaging';
import type { SlaDeps } from '../use-cases/deps.ts';
import { TICKET_EVENT_TYPES, type TicketEvent, TicketEventSchema } from '../use-cases/ticket-facts.ts';
import { trackTicket } from '../use-cases/track-ticket.ts';

/**
 * Feeds ticket events to the tickets' SLA workflows (and the sla service's copy of the tickets).
 * Both writes are idempotent by the ticket's `sequence`, so a redelivery needs no
 * `processed_events` marker. A Temporal outage fails the handler, which the broker library retries
 * a bounded number of times before dead-lettering; the DLQ can be replayed once Temporal is back.
 */
export function consumeTicketEvents(
  broker: Pick<Broker, 'consume'>,
  deps: Pick<SlaDeps, 'tickets' | 'workflows'>,
  opts: {
    queuePrefix: string;
    /**
     * Test seam: tests share the broker and the Temporal namespace with others running at the same
     * time, and take only their own orgs' tickets, so they never start a workflow (whose id is
     * namespace-wide) for someone else's ticket on their own task queue. Default: every org.
     */
    acceptOrg?: (orgId: string) => boolean;
  },
) {
  return broker.consume<TicketEvent['data']>({
    queue: `${opts.queuePrefix}.tickets`,
    bindings: [...TICKET_EVENT_TYPES],
    schema: TicketEventSchema,
    handler: async (event, { log }) => {
      if (opts.acceptOrg && !opts.acceptOrg(event.orgId)) return;
      const outcome = await trackTicket(deps, event as TicketEvent);
      const fields = { ticketId: event.data.ticket.id, sequence: event.sequence, outcome };
      if (outcome === 'signalled') log.debug(fields, 'ticket event signalled to its SLA workflow');
      else log.info(fields, 'ticket event after the SLA ended, ignored');
    },
  });
}
