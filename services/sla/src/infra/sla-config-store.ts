import type { Connection } from 'mongoose';
import type { CalendarStore, OpenTickets, PolicyStore } from '../use-cases/config-ports.ts';
import { calendarModel } from './calendar.model.ts';
import { createCalendarStore } from './calendar.repository.ts';
import { createOpenTickets } from './open-tickets.repository.ts';
import { policyModel } from './policy.model.ts';
import { createPolicyStore } from './policy.repository.ts';
import { ticketViewModel } from './ticket-view.model.ts';

/** The org-configured SLA (calendars, policies) on the sla database's connection, indexes ensured. */
export async function openSlaConfigStore(
  conn: Connection,
): Promise<{ calendars: CalendarStore; policies: PolicyStore; openTickets: OpenTickets }> {
  const calendars = calendarModel(conn);
  const policies = policyModel(conn);
  for (const model of [calendars, policies]) {
    await model.createCollection();
    await model.createIndexes();
  }
  return {
    calendars: createCalendarStore(calendars),
    policies: createPolicyStore(policies),
    // The same model the store registered (same schema object), so no second registration.
    openTickets: createOpenTickets(ticketViewModel(conn)),
  };
}
