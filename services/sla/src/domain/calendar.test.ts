import { describe, expect, it } from 'vitest';
import { CalendarDtoSchema, toCalendar, toCalendarDto } from './calendar.ts';

const officeDay = [
  { start: '09:00', end: '12:30' },
  { start: '13:30', end: '17:00' },
];
const valid = () => ({
  time_zone: 'Europe/Berlin',
  week: { mon: officeDay, tue: officeDay, wed: officeDay, thu: officeDay, fri: officeDay, sat: [], sun: [] },
  holidays: [
    { date: '2026-12-25', yearly: true, name: 'Christmas' },
    { date: '2026-11-27', yearly: false },
  ],
});

/** The dotted paths of every refusal, as the problem+json body will list them. */
function refusals(body: unknown): Array<{ path: string; message: string }> {
  const result = CalendarDtoSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
const paths = (body: unknown) => refusals(body).map((r) => r.path);

describe('CalendarDtoSchema', () => {
  it('when a calendar is well formed, then it is accepted and converts to the domain shape', () => {
    const dto = CalendarDtoSchema.parse(valid());
    const cal = toCalendar(dto);
    expect(cal.timeZone).toBe('Europe/Berlin');
    expect(cal.week.mon).toEqual(officeDay);
    expect(cal.week.sun).toEqual([]);
    expect(cal.holidays).toEqual([
      { date: '2026-12-25', yearly: true, name: 'Christmas' },
      { date: '2026-11-27', yearly: false },
    ]);
    expect(toCalendarDto(cal)).toEqual(dto);
  });

  it('when days or holidays are left out, then they default to no hours and no holidays', () => {
    const cal = toCalendar(CalendarDtoSchema.parse({ time_zone: 'UTC', week: { mon: officeDay } }));
    expect(cal.week.tue).toEqual([]);
    expect(cal.holidays).toEqual([]);
  });

  it('when an interval ends at 24:00, then it is accepted', () => {
    expect(paths({ ...valid(), week: { sat: [{ start: '00:00', end: '24:00' }] } })).toEqual([]);
  });

  it.each([['Asia/Kolkata'], ['US/Eastern'], ['UTC'], ['Etc/GMT-14']])(
    'when the time zone is %j, then it is accepted as written',
    (zone) => {
      expect(CalendarDtoSchema.parse({ ...valid(), time_zone: zone }).time_zone).toBe(zone);
    },
  );

  it.each([['Mars/Olympus_Mons'], ['+05:30'], ['']])(
    'when the time zone is %j, then time_zone is refused',
    (zone) => {
      expect(refusals({ ...valid(), time_zone: zone })).toEqual([
        { path: 'time_zone', message: 'must be an IANA time zone such as Europe/Berlin' },
      ]);
    },
  );

  it.each([['9:00'], ['24:01'], ['25:00'], ['12:60'], ['noon']])(
    'when a time is %j, then its path is refused',
    (time) => {
      expect(paths({ ...valid(), week: { wed: [{ start: time, end: '17:00' }] } })).toEqual([
        'week.wed.0.start',
      ]);
    },
  );

  it('when an interval ends before or at its start, then its end is refused', () => {
    const bad = {
      ...valid(),
      week: { tue: [{ start: '22:00', end: '02:00' }], fri: [{ start: '09:00', end: '09:00' }] },
    };
    expect(paths(bad)).toEqual(['week.tue.0.end', 'week.fri.0.end']);
  });

  it('when intervals of a day overlap or are out of order, then the later one is refused', () => {
    const bad = {
      ...valid(),
      week: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
        thu: [
          { start: '13:00', end: '14:00' },
          { start: '09:00', end: '10:00' },
        ],
      },
    };
    expect(paths(bad)).toEqual(['week.mon.1.start', 'week.thu.1.start']);
  });

  it('when two intervals touch, then they are accepted', () => {
    const touching = [
      { start: '09:00', end: '12:00' },
      { start: '12:00', end: '13:00' },
    ];
    expect(paths({ ...valid(), week: { mon: touching } })).toEqual([]);
  });

  it('when a day has more than 10 intervals, then the day is refused', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ start: `${10 + i}:00`, end: `${10 + i}:30` }));
    expect(paths({ ...valid(), week: { mon: many } })).toEqual(['week.mon']);
  });

  it('when the week names an unknown day, then that key is refused', () => {
    expect(refusals({ ...valid(), week: { mon: officeDay, thurs: officeDay } })).toEqual([
      expect.objectContaining({ path: 'week', message: expect.stringContaining('thurs') }),
    ]);
  });

  it('when the week has no working time at all, then week is refused', () => {
    expect(refusals({ ...valid(), week: { sat: [], sun: [] } })).toEqual([
      { path: 'week', message: 'must have working hours on at least one day' },
    ]);
  });

  it('when yearly holidays cover every day of the year, then holidays is refused', () => {
    const everyDay = Array.from({ length: 366 }, (_, i) => ({
      date: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
      yearly: true,
    }));
    expect(paths({ ...valid(), holidays: everyDay })).toEqual(['holidays']);
    expect(paths({ ...valid(), holidays: everyDay.slice(1) })).toEqual([]);
  });

  it('when there are more than 366 holidays, then holidays is refused', () => {
    const many = Array.from({ length: 367 }, (_, i) => ({
      date: new Date(Date.UTC(2030, 0, 1 + i)).toISOString().slice(0, 10),
      yearly: false,
    }));
    expect(paths({ ...valid(), holidays: many })).toEqual(['holidays']);
  });

  it.each([['2026-02-30'], ['2025-02-29'], ['2026-13-01'], ['26-12-25']])(
    'when a holiday date is %j, then its date is refused',
    (date) => {
      expect(paths({ ...valid(), holidays: [{ date, yearly: false }] })).toEqual(['holidays.0.date']);
    },
  );

  it('when a yearly holiday falls on 29 February of a leap year, then it is accepted', () => {
    expect(paths({ ...valid(), holidays: [{ date: '2028-02-29', yearly: true }] })).toEqual([]);
  });

  it('when a holiday repeats another (yearly: same month and day), then the repeat is refused', () => {
    const holidays = [
      { date: '2026-12-25', yearly: true },
      { date: '2026-11-27', yearly: false },
      { date: '2031-12-25', yearly: true },
      { date: '2026-11-27', yearly: false },
      { date: '2026-12-25', yearly: false },
    ];
    expect(refusals({ ...valid(), holidays })).toEqual([
      { path: 'holidays.2.date', message: 'repeats holidays.0' },
      { path: 'holidays.3.date', message: 'repeats holidays.1' },
    ]);
  });

  it('when a holiday or the calendar carries an unknown key, then that key is refused', () => {
    const bad = {
      ...valid(),
      timeZone: 'UTC',
      holidays: [{ date: '2026-12-25', yearly: true, recurring: true }],
    };
    expect(paths(bad).sort()).toEqual(['', 'holidays.0']);
  });
});
