import { type TicketEscalatedEvent, TicketEscalatedEventSchema, TicketEvents } from '@helpdesk/contracts';
import { AppError, type Logger } from '@helpdesk/kit';
import { type Broker, PermanentError } from '@helpdesk/messaging';
import { applyEscalation, type EscalationOutcome } from '../use-cases/apply-escalation.ts';
import type { TicketsDeps } from '../use-cases/deps.ts';

/**
 * Keeps each ticket's escalation level and runs the ladder's actions, from the sla service's
 * `ticket.escalated`. A message the schema refuses is dead-lettered by the broker library. The
 * escalation's key, checked in the ticket's own write, makes a repeat change nothing, so no
 * `processed_events` marker is needed: it would cost two writes per event and guard nothing the
 * key does not. A ticket that is gone (or of another org) is acked: retrying cannot bring it back.
 */
export function consumeTicketEscalated(
  broker: Pick<Broker, 'consume'>,
  deps: TicketsDeps,
  opts: { queuePrefix: string },
) {
  return broker.consume<TicketEscalatedEvent['data']>({
    queue: `${opts.queuePrefix}.escalations`,
    bindings: [TicketEvents.Escalated],
    schema: TicketEscalatedEventSchema,
    handler: async (event, { log }) => {
      const { ticketId, level, key } = event.data;
      // Not `level`: that is pino's own field.
      const l = log.child({ ticketId, escalationLevel: level, key });
      try {
        report(l, await applyEscalation(deps, event));
      } catch (err) {
        // A domain rule the escalation breaks stays broken on the next attempt.
        if (err instanceof AppError) throw new PermanentError(err.message, { cause: err });
        throw err;
      }
    },
  });
}

function report(log: Logger, outcome: EscalationOutcome): void {
  switch (outcome.result) {
    case 'not_found':
      log.warn('escalation of an unknown ticket ignored');
      return;
    case 'final':
      log.info({ status: outcome.ticket.status }, 'escalation of a closed ticket ignored');
      return;
    case 'duplicate':
      log.debug('escalation already applied, nothing changed');
      return;
  }
  for (const s of outcome.skipped)
    log.warn({ action: s.action, reason: s.reason }, 'escalation action skipped');
  if (outcome.result === 'unchanged') log.debug('escalation changes nothing');
  else {
    const { escalationLevel, priority, assigneeId } = outcome.ticket;
    log.info({ ticketLevel: escalationLevel, priority, assigneeId }, 'escalation applied');
  }
}
