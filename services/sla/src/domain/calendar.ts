import { z } from 'zod';
import { type Calendar, WEEKDAYS, type Weekday } from './business-time.ts';

/*
 * A business calendar as the API accepts it (snake_case, System A/B style), and its conversion to
 * the `Calendar` that the business-time arithmetic reads. Every refusal names the path of the
 * offending field, so a client can point at it.
 */

export const MAX_INTERVALS_PER_DAY = 10;
export const MAX_HOLIDAYS = 366;

const TimeSchema = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM between 00:00 and 24:00');

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
/** Order checks run even when a time is malformed; they leave that to the time's own message. */
const bothTimes = (i: { start: string; end: string }) =>
  TimeSchema.safeParse(i.start).success && TimeSchema.safeParse(i.end).success;

const IntervalSchema = z
  .strictObject({ start: TimeSchema, end: TimeSchema })
  .refine((i) => !bothTimes(i) || minutes(i.start) < minutes(i.end), {
    path: ['end'],
    message: 'must be after start (an interval cannot cross midnight; end at 24:00 instead)',
  });

const DaySchema = z
  .array(IntervalSchema)
  .max(MAX_INTERVALS_PER_DAY)
  .default([])
  .superRefine((day, ctx) => {
    for (let i = 1; i < day.length; i++) {
      const prev = day[i - 1];
      const cur = day[i];
      if (prev && cur && bothTimes(prev) && bothTimes(cur) && minutes(cur.start) < minutes(prev.end)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'start'],
          message: `must not be before the end of the previous interval (${prev.end}); list intervals in order without overlap`,
        });
      }
    }
  });

const WeekSchema = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((d) => [d, DaySchema])) as Record<Weekday, typeof DaySchema>,
);

/**
 * Kept as written: ICU would canonicalize to legacy names (Asia/Kolkata → Asia/Calcutta). IANA
 * names only, because Intl also takes a bare offset (`+05:30`), which knows nothing of DST.
 */
const TimeZoneSchema = z
  .string()
  .max(64)
  .refine(
    (name) => /^[A-Za-z]/.test(name) && isKnownZone(name),
    'must be an IANA time zone such as Europe/Berlin',
  );

function isKnownZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const HolidaySchema = z.strictObject({
  date: z.iso.date('must be a date YYYY-MM-DD'),
  /** Recurs every year on the same month and day (29 February: in leap years only). */
  yearly: z.boolean().default(false),
  name: z.string().trim().min(1).max(100).optional(),
});

const holidayKey = (h: { date: string; yearly: boolean }) => (h.yearly ? h.date.slice(5) : h.date);

export const CalendarDtoSchema = z
  .strictObject({
    time_zone: TimeZoneSchema,
    week: WeekSchema,
    holidays: z
      .array(HolidaySchema)
      .max(MAX_HOLIDAYS)
      .default([])
      .superRefine((holidays, ctx) => {
        const seen = new Map<string, number>();
        holidays.forEach((h, i) => {
          const key = holidayKey(h);
          const first = seen.get(key);
          if (first === undefined) seen.set(key, i);
          else ctx.addIssue({ code: 'custom', path: [i, 'date'], message: `repeats holidays.${first}` });
        });
      }),
  })
  .superRefine((cal, ctx) => {
    // A calendar without working time would never end a clock.
    if (WEEKDAYS.every((d) => cal.week[d].length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['week'],
        message: 'must have working hours on at least one day',
      });
    }
    const yearlyDays = new Set(cal.holidays.filter((h) => h.yearly).map(holidayKey));
    if (yearlyDays.size >= 366) {
      ctx.addIssue({
        code: 'custom',
        path: ['holidays'],
        message: 'must leave at least one working day a year',
      });
    }
  });
export type CalendarDto = z.infer<typeof CalendarDtoSchema>;

export function toCalendar(dto: CalendarDto): Calendar {
  return {
    timeZone: dto.time_zone,
    week: dto.week,
    holidays: dto.holidays.map((h) => ({
      date: h.date,
      yearly: h.yearly,
      ...(h.name ? { name: h.name } : {}),
    })),
  };
}

export function toCalendarDto(calendar: Calendar): CalendarDto {
  return { time_zone: calendar.timeZone, week: calendar.week, holidays: calendar.holidays };
}
