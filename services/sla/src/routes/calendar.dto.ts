import { ValidationError } from '@helpdesk/kit';
import { z } from '@hono/zod-openapi';
import { CalendarDtoSchema, toCalendar, toCalendarDto } from '../domain/calendar.ts';
import type { SlaCalendar } from '../use-cases/config-ports.ts';

const iso = z.iso.datetime({ offset: true });
const Name = z.string().trim().min(1).max(100);
const fields = CalendarDtoSchema.shape;

const example = {
  name: 'Berlin office',
  time_zone: 'Europe/Berlin',
  week: {
    mon: [
      { start: '09:00', end: '12:30' },
      { start: '13:30', end: '17:00' },
    ],
    tue: [{ start: '09:00', end: '17:00' }],
  },
  holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas' }],
};

/** The calendar's own checks (working time somewhere, holidays not repeated), on the merged whole. */
export function parseCalendar(body: unknown) {
  const r = CalendarDtoSchema.safeParse(body);
  if (r.success) return toCalendar(r.data);
  const errors = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(errors, errors.map((e) => `${e.path}: ${e.message}`).join('; '));
}

export const CreateCalendarRequestSchema = z
  .strictObject({ name: Name, ...fields })
  .openapi('CreateSlaCalendarRequest', { example });

export const UpdateCalendarRequestSchema = z
  .strictObject({
    name: Name.optional(),
    time_zone: fields.time_zone.optional(),
    week: fields.week.optional().describe('Replaces the whole week: days left out have no working time.'),
    holidays: fields.holidays.optional().describe('Replaces the whole list.'),
  })
  .openapi('UpdateSlaCalendarRequest');

export const CalendarResponseSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    time_zone: z.string(),
    week: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
    holidays: z.array(z.object({ date: z.string(), yearly: z.boolean(), name: z.string().optional() })),
    version: z.number().int().describe('Grows by one with every change.'),
    created_at: iso,
    updated_at: iso,
  })
  .openapi('SlaCalendar');
export type CalendarResponse = z.infer<typeof CalendarResponseSchema>;

export const CalendarListSchema = z
  .object({ results: z.array(CalendarResponseSchema) })
  .openapi('SlaCalendarList');

export const toCalendarResponse = (c: SlaCalendar): CalendarResponse => ({
  id: c.id,
  name: c.name,
  ...toCalendarDto(c.calendar),
  version: c.version,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

/** PATCH: the fields given over the stored calendar, checked as a whole. */
export function mergeCalendar(current: SlaCalendar, b: z.infer<typeof UpdateCalendarRequestSchema>) {
  const { name, ...given } = b;
  const merged = { ...toCalendarDto(current.calendar), ...given };
  return { name: name ?? current.name, calendar: parseCalendar(merged) };
}
