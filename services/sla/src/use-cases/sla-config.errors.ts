import { NotFoundError } from '@helpdesk/kit';

export class CalendarNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('SLA_CALENDAR_NOT_FOUND', `No SLA calendar ${id} in your org.`);
  }
}

export class PolicyNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('SLA_POLICY_NOT_FOUND', `No SLA policy ${id} in your org.`);
  }
}
