import {
  SlaBreachedEventSchema,
  SlaFulfilledEventSchema,
  SlaWarningEventSchema,
  TicketAssignedEventSchema,
  TicketCommentAddedEventSchema,
  TicketCreatedEventSchema,
  TicketEscalatedEventSchema,
  TicketStatusChangedEventSchema,
  TicketUpdatedEventSchema,
} from '@helpdesk/contracts';
import { z } from 'zod';

/** The events the reports are built from (sla.warning is kept in the log, counted nowhere yet). */
export const ReportEventSchema = z.discriminatedUnion('type', [
  TicketCreatedEventSchema,
  TicketUpdatedEventSchema,
  TicketAssignedEventSchema,
  TicketStatusChangedEventSchema,
  TicketCommentAddedEventSchema,
  TicketEscalatedEventSchema,
  SlaWarningEventSchema,
  SlaBreachedEventSchema,
  SlaFulfilledEventSchema,
]);

export const REPORT_EVENT_TYPES = ReportEventSchema.options.map((o) => o.shape.type.value);
