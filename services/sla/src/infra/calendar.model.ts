import { type Connection, Schema } from 'mongoose';
import type { Calendar } from '../domain/business-time.ts';

/** An org's business calendar (`/api/sla/calendars/`); `version` grows with every change. */
export interface CalendarDoc {
  _id: string;
  orgId: string;
  name: string;
  calendar: Calendar;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const CalendarSchema = new Schema<CalendarDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true },
    calendar: { type: Schema.Types.Mixed, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'sla_calendars', versionKey: false, minimize: false },
);
CalendarSchema.index({ orgId: 1, createdAt: 1 }, { name: 'org_created' });

export const calendarModel = (conn: Connection) => conn.model<CalendarDoc>('SlaCalendar', CalendarSchema);
export type CalendarModel = ReturnType<typeof calendarModel>;
