// The signal-with-start arguments of a new ticket, as the sla consumer builds them from the
// tickets service's `ticket.created` event (track-ticket.ts: ticketFacts of the parsed event).
import { randomUUID } from 'node:crypto';
import { makeEnvelope } from '../../../libs/messaging/src/index.ts';
import { TicketEventSchema, ticketFacts } from '../../../services/sla/src/use-cases/ticket-facts.ts';
import type { SlaWorkflowInput } from '../../../services/sla/src/workflows/contract.ts';
import { newTicket } from '../../../services/tickets/src/domain/ticket.ts';
import { ticketEvents } from '../../../services/tickets/src/use-cases/ticket-events.ts';

const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

export function createdTicketInput(
  orgId: string,
  requesterId: string,
  number: number,
  at: Date,
): SlaWorkflowInput {
  const ticket = newTicket(
    {
      id: randomUUID(),
      orgId,
      number,
      title: `Printer jams on every second page (${number})`,
      description: 'The printer on the third floor jams on every second page.',
      priority: PRIORITIES[number % PRIORITIES.length] ?? 'medium',
      requesterId,
      tags: ['printer'],
    },
    at,
  );
  const created = ticketEvents.created();
  const envelope = makeEnvelope({
    type: created.type,
    orgId,
    aggregateId: ticket.id,
    sequence: 1,
    actor: { type: 'user', id: requesterId, role: 'user' },
    occurredAt: at,
    data: created.data(ticket),
    correlationId: randomUUID(),
  });
  const facts = ticketFacts(TicketEventSchema.parse(JSON.parse(JSON.stringify(envelope))));
  return { ticketId: ticket.id, orgId, facts };
}
