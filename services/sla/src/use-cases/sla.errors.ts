import { AppError, ConflictError, NotFoundError } from '@helpdesk/kit';

export class TicketNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('TICKET_NOT_FOUND', `No ticket ${id} in your org.`);
  }
}

export class SlaNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('SLA_NOT_FOUND', `Ticket ${id} has no SLA yet; it starts with the ticket's first event.`);
  }
}

export class SlaEndedError extends ConflictError {
  constructor(id: string) {
    super('SLA_ENDED', `The SLA of ticket ${id} has ended (the ticket is closed or cancelled).`);
  }
}

/** Temporal did not answer in time (no worker, the server is down, the SLA is starting); a retry may succeed. */
export class SlaUnavailableError extends AppError {
  constructor(message = 'The SLA state cannot be read right now; retry shortly.', retryAfterSeconds = 5) {
    super('SLA_UNAVAILABLE', 503, message, { headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}
