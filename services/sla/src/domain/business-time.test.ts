import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMs,
  businessMsBetween,
  type Calendar,
  type Holiday,
  type Interval,
  isBusinessTime,
  nextBusinessInstant,
  WEEKDAYS,
  type Weekday,
} from './business-time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const at = (iso: string) => new Date(iso);
/** Compares instants by their ISO form, so a failure shows both readable. */
const expectInstant = (actual: Date, expected: string) =>
  expect(actual.toISOString()).toBe(at(expected).toISOString());

function calendar(
  timeZone: string,
  days: Partial<Record<Weekday, Interval[]>>,
  holidays: Holiday[] = [],
): Calendar {
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, days[d] ?? []])) as Record<Weekday, Interval[]>;
  return { timeZone, week, holidays };
}
const span = (start: string, end: string): Interval => ({ start, end });
const officeDay = [span('09:00', '12:30'), span('13:30', '17:00')];
const weekdays = (day: Interval[]) => ({ mon: day, tue: day, wed: day, thu: day, fri: day });
const allDays = (day: Interval[]) => ({ ...weekdays(day), sat: day, sun: day });

/** Berlin office, 7 h a day Monday to Friday with a lunch break. */
const office = calendar('Europe/Berlin', weekdays(officeDay), [
  { date: '2026-12-25', yearly: true, name: 'Christmas' },
  { date: '2026-11-27', yearly: false },
]);

describe('addBusinessMs in office hours (Europe/Berlin, Mon-Fri 09:00-12:30 and 13:30-17:00)', () => {
  it.each([
    ['inside hours', '2026-03-02T10:00+01:00', HOUR, '2026-03-02T11:00+01:00'],
    ['inside hours, across the lunch break', '2026-03-02T12:00+01:00', HOUR, '2026-03-02T14:00+01:00'],
    ['during the lunch break', '2026-03-02T12:45+01:00', 30 * MIN, '2026-03-02T14:00+01:00'],
    ['before opening', '2026-03-02T07:00+01:00', HOUR, '2026-03-02T10:00+01:00'],
    ['after closing', '2026-03-02T18:00+01:00', HOUR, '2026-03-03T10:00+01:00'],
    ['on a Saturday', '2026-03-07T10:00+01:00', HOUR, '2026-03-09T10:00+01:00'],
    ['on Friday afternoon, over the weekend', '2026-03-06T16:30+01:00', HOUR, '2026-03-09T09:30+01:00'],
    ['exactly at opening, for a whole day', '2026-03-02T09:00+01:00', 7 * HOUR, '2026-03-02T17:00+01:00'],
    ['an hour before closing, for an hour', '2026-03-02T16:00+01:00', HOUR, '2026-03-02T17:00+01:00'],
    ['at the start of lunch', '2026-03-02T12:30+01:00', HOUR, '2026-03-02T14:30+01:00'],
    ['exactly at closing, for one millisecond', '2026-03-02T17:00+01:00', 1, '2026-03-03T09:00:00.001+01:00'],
  ])('when the clock starts %s, then it is due at the right instant', (_case, start, ms, due) => {
    expectInstant(addBusinessMs(at(start), ms, office), due);
  });

  it('when a target ends exactly at closing, then it is due at closing and not the next morning', () => {
    expectInstant(addBusinessMs(at('2026-03-02T13:30+01:00'), 3.5 * HOUR, office), '2026-03-02T17:00+01:00');
  });

  it('when the target is zero, then it is due at the start, even outside hours', () => {
    expectInstant(addBusinessMs(at('2026-03-07T10:00+01:00'), 0, office), '2026-03-07T10:00+01:00');
  });

  it('when the target is fractional, then it is rounded up to the next millisecond, never early', () => {
    expectInstant(addBusinessMs(at('2026-03-02T10:00+01:00'), 0.2, office), '2026-03-02T10:00:00.001+01:00');
  });

  it('when a one-off holiday falls inside the clock, then that day does not count', () => {
    expectInstant(addBusinessMs(at('2026-11-26T16:00+01:00'), 2 * HOUR, office), '2026-11-30T10:00+01:00');
  });

  it('when a yearly holiday recurs in another year, then it does not count there either', () => {
    // Christmas is a Monday in 2028 and a Thursday in 2025.
    expectInstant(addBusinessMs(at('2028-12-22T16:00+01:00'), 2 * HOUR, office), '2028-12-26T10:00+01:00');
    expectInstant(addBusinessMs(at('2025-12-24T16:00+01:00'), 2 * HOUR, office), '2025-12-26T10:00+01:00');
  });

  it('when a yearly holiday is on 29 February, then it is off in leap years and nothing moves in others', () => {
    const daily = calendar('Europe/Berlin', allDays([span('09:00', '17:00')]), [
      { date: '2024-02-29', yearly: true },
    ]);
    expectInstant(addBusinessMs(at('2028-02-28T16:00+01:00'), 2 * HOUR, daily), '2028-03-01T10:00+01:00');
    expectInstant(addBusinessMs(at('2027-02-28T16:00+01:00'), 2 * HOUR, daily), '2027-03-01T10:00+01:00');
  });

  it('when the target is longer than a week, then whole working days are counted, holidays skipped', () => {
    // Ten working days from Mon 23 Nov 2026: 23-26 Nov, (27 Nov off), 30 Nov, 1-4 Dec, 7 Dec.
    expectInstant(addBusinessMs(at('2026-11-23T09:00+01:00'), 70 * HOUR, office), '2026-12-07T17:00+01:00');
  });

  it('when the target is a year of working time, then it ends on the right evening, through both DST changes', () => {
    const noHolidays = { ...office, holidays: [] };
    expectInstant(
      addBusinessMs(at('2026-01-05T09:00+01:00'), 52 * 35 * HOUR, noHolidays),
      '2027-01-01T17:00+01:00',
    );
  });
});

describe('businessMsBetween, isBusinessTime and nextBusinessInstant', () => {
  it('when "to" is not after "from", then no business time passes', () => {
    expect(businessMsBetween(at('2026-03-02T11:00+01:00'), at('2026-03-02T10:00+01:00'), office)).toBe(0);
    expect(businessMsBetween(at('2026-03-02T11:00+01:00'), at('2026-03-02T11:00+01:00'), office)).toBe(0);
  });

  it('when a span covers a weekend and a lunch break, then only open hours count', () => {
    expect(businessMsBetween(at('2026-03-06T12:00+01:00'), at('2026-03-09T10:00+01:00'), office)).toBe(
      5 * HOUR,
    );
  });

  it('when an instant is at opening or at closing, then opening is inside and closing is not', () => {
    expect(isBusinessTime(at('2026-03-02T09:00+01:00'), office)).toBe(true);
    expect(isBusinessTime(at('2026-03-02T08:59:59.999+01:00'), office)).toBe(false);
    expect(isBusinessTime(at('2026-03-02T12:30+01:00'), office)).toBe(false);
    expect(isBusinessTime(at('2026-03-02T16:59:59.999+01:00'), office)).toBe(true);
    expect(isBusinessTime(at('2026-03-02T17:00+01:00'), office)).toBe(false);
  });

  it.each([
    ['inside hours', '2026-03-02T10:00+01:00', '2026-03-02T10:00+01:00'],
    ['at lunch', '2026-03-02T12:30+01:00', '2026-03-02T13:30+01:00'],
    ['at closing on Friday', '2026-03-06T17:00+01:00', '2026-03-09T09:00+01:00'],
    ['on the day before a holiday', '2026-11-26T17:00+01:00', '2026-11-30T09:00+01:00'],
  ])('when asked %s, then the next business instant is right', (_case, instant, next) => {
    expectInstant(nextBusinessInstant(at(instant), office), next);
  });
});

describe('time zones and DST', () => {
  const sundays = (zone: string, day: Interval[]) => calendar(zone, { sun: day });

  it('when a Berlin interval spans the spring-forward change, then it lasts 2 h of real time for 3 h on the clock', () => {
    const cal = sundays('Europe/Berlin', [span('01:00', '04:00')]);
    expect(businessMsBetween(at('2026-03-28T12:00Z'), at('2026-03-30T00:00Z'), cal)).toBe(2 * HOUR);
    expect(businessMsBetween(at('2026-03-21T12:00Z'), at('2026-03-23T00:00Z'), cal)).toBe(3 * HOUR);
    expectInstant(addBusinessMs(at('2026-03-28T12:00Z'), HOUR, cal), '2026-03-29T03:00+02:00');
    expectInstant(addBusinessMs(at('2026-03-28T12:00Z'), 2 * HOUR, cal), '2026-03-29T04:00+02:00');
  });

  it('when an interval lies in the skipped hour, then it is empty that day; when it starts there, it starts at the change', () => {
    const gap = sundays('Europe/Berlin', [span('02:00', '02:30')]);
    expectInstant(addBusinessMs(at('2026-03-28T12:00Z'), MIN, gap), '2026-04-05T02:01+02:00');
    const fromGap = sundays('Europe/Berlin', [span('02:30', '03:30')]);
    expect(businessMsBetween(at('2026-03-28T12:00Z'), at('2026-03-30T00:00Z'), fromGap)).toBe(30 * MIN);
    expectInstant(nextBusinessInstant(at('2026-03-28T12:00Z'), fromGap), '2026-03-29T03:00+02:00');
  });

  it('when a Berlin interval spans the fall-back change, then it lasts 4 h; a repeated time means its first occurrence', () => {
    const cal = sundays('Europe/Berlin', [span('01:00', '04:00')]);
    expect(businessMsBetween(at('2026-10-24T12:00Z'), at('2026-10-26T00:00Z'), cal)).toBe(4 * HOUR);
    expectInstant(addBusinessMs(at('2026-10-24T12:00Z'), 4 * HOUR, cal), '2026-10-25T04:00+01:00');
    const repeated = sundays('Europe/Berlin', [span('02:00', '02:30')]);
    expect(isBusinessTime(at('2026-10-25T02:15+02:00'), repeated)).toBe(true);
    expect(isBusinessTime(at('2026-10-25T02:15+01:00'), repeated)).toBe(false);
    const untilChange = sundays('Europe/Berlin', [span('02:30', '03:00')]);
    expect(businessMsBetween(at('2026-10-24T12:00Z'), at('2026-10-26T00:00Z'), untilChange)).toBe(90 * MIN);
  });

  it('when a New York interval spans either change, then it lasts 2 h in spring and 4 h in autumn', () => {
    const spring = sundays('America/New_York', [span('01:00', '04:00')]);
    expect(businessMsBetween(at('2026-03-07T12:00Z'), at('2026-03-09T12:00Z'), spring)).toBe(2 * HOUR);
    expectInstant(addBusinessMs(at('2026-03-07T12:00Z'), HOUR + MIN, spring), '2026-03-08T03:01-04:00');
    const autumn = sundays('America/New_York', [span('00:00', '03:00')]);
    expect(businessMsBetween(at('2026-10-31T12:00Z'), at('2026-11-02T12:00Z'), autumn)).toBe(4 * HOUR);
    const repeated = sundays('America/New_York', [span('01:00', '01:30')]);
    expect(isBusinessTime(at('2026-11-01T01:15-04:00'), repeated)).toBe(true);
    expect(isBusinessTime(at('2026-11-01T01:15-05:00'), repeated)).toBe(false);
  });

  it('when a clock runs over a DST weekend, then office hours stay at the same local times', () => {
    expectInstant(addBusinessMs(at('2026-03-27T16:00+01:00'), 2 * HOUR, office), '2026-03-30T10:00+02:00');
    expectInstant(addBusinessMs(at('2026-10-23T16:00+02:00'), 2 * HOUR, office), '2026-10-26T10:00+01:00');
  });

  it('when a calendar is open round the clock, then it counts real time, 23 h and 25 h on DST days', () => {
    const always = calendar('Europe/Berlin', allDays([span('00:00', '24:00')]));
    expect(businessMsBetween(at('2026-03-29T00:00+01:00'), at('2026-03-30T00:00+02:00'), always)).toBe(
      23 * HOUR,
    );
    expect(businessMsBetween(at('2026-10-25T00:00+02:00'), at('2026-10-26T00:00+01:00'), always)).toBe(
      25 * HOUR,
    );
    const start = at('2026-03-15T12:34:56.789Z');
    expect(addBusinessMs(start, 30 * DAY, always).getTime()).toBe(start.getTime() + 30 * DAY);
  });

  it('when the zone is Asia/Kolkata (+05:30), then hours are local to it', () => {
    const india = calendar('Asia/Kolkata', weekdays([span('09:00', '17:00')]));
    expectInstant(addBusinessMs(at('2026-03-02T03:00Z'), HOUR, india), '2026-03-02T10:00+05:30');
    expectInstant(addBusinessMs(at('2026-03-06T11:00Z'), HOUR, india), '2026-03-09T09:30+05:30');
  });

  it('when UTC and the zone disagree on the date, then weekdays and holidays follow the zone', () => {
    const earlyMonday = calendar('Asia/Kolkata', { mon: [span('00:00', '02:00')] });
    expect(isBusinessTime(at('2026-03-01T19:00Z'), earlyMonday)).toBe(true); // Sunday in UTC
    expect(isBusinessTime(at('2026-03-02T19:00Z'), earlyMonday)).toBe(false); // Monday in UTC
    const fullDays = calendar('Asia/Kolkata', weekdays([span('00:00', '24:00')]), [
      { date: '2026-03-03', yearly: false },
    ]);
    expect(isBusinessTime(at('2026-03-02T18:29Z'), fullDays)).toBe(true);
    expect(isBusinessTime(at('2026-03-02T18:30Z'), fullDays)).toBe(false);
    expect(isBusinessTime(at('2026-03-03T12:00Z'), fullDays)).toBe(false);
    expect(isBusinessTime(at('2026-03-03T18:30Z'), fullDays)).toBe(true);
    const lateFriday = calendar('America/New_York', {
      fri: [span('20:00', '24:00')],
      sat: [span('00:00', '04:00')],
    });
    expect(isBusinessTime(at('2026-03-07T03:00Z'), lateFriday)).toBe(true); // Saturday in UTC
    expectInstant(
      addBusinessMs(at('2026-03-06T20:00-05:00'), 8 * HOUR, lateFriday),
      '2026-03-07T04:00-05:00',
    );
  });
});

describe('24x7 (no calendar)', () => {
  it('when there is no calendar, then business time is plain time', () => {
    const start = at('2026-03-29T00:30Z');
    expect(addBusinessMs(start, 5 * DAY + 7, null).getTime()).toBe(start.getTime() + 5 * DAY + 7);
    expect(businessMsBetween(start, at('2026-03-30T00:30Z'), null)).toBe(DAY);
    expect(isBusinessTime(start, null)).toBe(true);
    expect(nextBusinessInstant(start, null).getTime()).toBe(start.getTime());
  });
});

describe('refusals', () => {
  it('when the target is negative or not a number, then a RangeError is thrown', () => {
    expect(() => addBusinessMs(at('2026-03-02T10:00Z'), -1, office)).toThrow(RangeError);
    expect(() => addBusinessMs(at('2026-03-02T10:00Z'), Number.NaN, null)).toThrow(RangeError);
    expect(() => addBusinessMs(at('2026-03-02T10:00Z'), Number.POSITIVE_INFINITY, office)).toThrow(
      RangeError,
    );
  });

  it('when an instant is invalid or the zone unknown, then a RangeError is thrown', () => {
    expect(() => businessMsBetween(new Date(Number.NaN), at('2026-03-02T10:00Z'), office)).toThrow(
      RangeError,
    );
    expect(() =>
      isBusinessTime(at('2026-03-02T10:00Z'), { ...office, timeZone: 'Mars/Olympus_Mons' }),
    ).toThrow(/unknown time zone/);
  });

  it('when a target cannot be reached within 20 years, then it throws instead of looping', () => {
    const minuteAWeek = calendar('UTC', { mon: [span('09:00', '09:01')] });
    expect(() => addBusinessMs(at('2026-03-02T10:00Z'), 2000 * MIN, minuteAWeek)).toThrow(
      'the target is not reached within 20 years',
    );
    expectInstant(addBusinessMs(at('2026-03-02T10:00Z'), 2 * MIN, minuteAWeek), '2026-03-16T09:01Z');
  });
});

describe('performance', () => {
  it('when 10,000 clocks of 1 to 30 days of office time are computed, then it takes well under a second', () => {
    const rnd = lcg(42);
    const inputs = Array.from({ length: 10_000 }, () => ({
      start: new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 3 * 365 * DAY)),
      ms: Math.floor((1 + rnd() * 29) * DAY),
    }));
    const t0 = performance.now();
    for (const { start, ms } of inputs) addBusinessMs(start, ms, office);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(1000);
  });
});

/** A seeded generator, so the benchmark's inputs are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

// ---------------------------------------------------------------------------------------------
// Property tests over random valid calendars.

/** Zones with odd offsets and changes, each with its offset changes near the instants tested. */
const ZONES: Record<string, string[]> = {
  UTC: [],
  'Europe/Berlin': ['2026-03-29T01:00Z', '2026-10-25T01:00Z'],
  'America/New_York': ['2026-03-08T07:00Z', '2026-11-01T06:00Z'],
  'Asia/Kolkata': [],
  'Asia/Kathmandu': [],
  'Australia/Lord_Howe': ['2026-04-04T15:00Z', '2026-10-03T15:30Z'], // 30-minute DST
  'America/Santiago': ['2026-04-05T03:00Z', '2026-09-06T04:00Z'], // at local midnight
  'America/Havana': ['2026-03-08T05:00Z', '2026-11-01T05:00Z'], // at local midnight
  'Africa/Casablanca': ['2026-02-15T02:00Z', '2026-03-22T02:00Z'], // suspended for Ramadan
  'Pacific/Chatham': ['2026-04-04T14:00Z', '2026-09-26T14:00Z'], // +12:45 / +13:45
  'America/St_Johns': ['2026-03-08T05:30Z', '2026-11-01T04:30Z'],
  'Pacific/Apia': ['2011-12-30T10:00Z'], // skipped 30 December 2011 entirely
};
const changesOf = (zone: string) => {
  const own = ZONES[zone] ?? [];
  return (own.length ? own : ['2026-03-29T01:00Z', '2026-11-01T06:00Z']).map((c) => at(c).getTime());
};
/** Instants within `minutes` of one of the zone's offset changes. */
const nearChangeArb = (zone: string, minutes: number) =>
  fc
    .tuple(
      fc.constantFrom(...changesOf(zone)),
      fc.integer({ min: -minutes, max: minutes }),
      fc.integer({ min: 0, max: MIN - 1 }),
    )
    .map(([c, m, ms]) => c + m * MIN + (ms < MIN / 2 ? 0 : ms));

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minuteArb = fc.oneof(
  fc.integer({ min: 0, max: 1440 }),
  fc.constantFrom(0, 60, 90, 120, 150, 180, 240, 1440),
);
const dayArb = fc.uniqueArray(minuteArb, { maxLength: 8 }).map((ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const intervals: Interval[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2)
    intervals.push(span(hhmm(sorted[i] ?? 0), hhmm(sorted[i + 1] ?? 0)));
  return intervals;
});
const dateArb = fc
  .integer({ min: Date.UTC(2010, 0, 1) / DAY, max: Date.UTC(2031, 0, 1) / DAY })
  .map((d) => new Date(d * DAY).toISOString().slice(0, 10));

const weekMs = (cal: Calendar) =>
  WEEKDAYS.flatMap((d) => cal.week[d]).reduce((sum, i) => sum + minutesOf(i.end) - minutesOf(i.start), 0) *
  MIN;
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

const calendarArb: fc.Arbitrary<Calendar> = fc
  .record({
    timeZone: fc.constantFrom(...Object.keys(ZONES)),
    week: fc.record({
      mon: dayArb,
      tue: dayArb,
      wed: dayArb,
      thu: dayArb,
      fri: dayArb,
      sat: dayArb,
      sun: dayArb,
    }),
    holidays: fc.array(fc.record({ date: dateArb, yearly: fc.boolean() }), { maxLength: 10 }),
  })
  .filter((cal) => weekMs(cal) > 0);

const startArb = (zone: string) =>
  fc.oneof(
    fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2031, 0, 1) }),
    nearChangeArb(zone, 4 * 24 * 60),
  );
/** Up to six weeks' worth of the calendar's hours, sometimes in whole minutes to land on boundaries. */
const durationArb = (cal: Calendar) =>
  fc.oneof(
    fc.integer({ min: 0, max: 6 * weekMs(cal) }),
    fc.integer({ min: 0, max: (6 * weekMs(cal)) / MIN }).map((m) => m * MIN),
  );

const caseArb = calendarArb.chain((cal) =>
  fc.record({
    cal: fc.constant(cal),
    start: startArb(cal.timeZone).map((t) => new Date(t)),
    d: durationArb(cal),
  }),
);

describe('properties of business time over random calendars', () => {
  it('when d of business time is added, then exactly d lies between start and due, and not one ms earlier', () => {
    fc.assert(
      fc.property(caseArb, ({ cal, start, d }) => {
        const due = addBusinessMs(start, d, cal);
        expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(businessMsBetween(start, due, cal)).toBe(d);
        if (d > 0) {
          expect(businessMsBetween(start, new Date(due.getTime() - 1), cal)).toBe(d - 1);
          expect(isBusinessTime(new Date(due.getTime() - 1), cal)).toBe(true);
        }
      }),
    );
  });

  it('when the target grows, then the due instant never moves earlier', () => {
    const arb = caseArb.chain((c) => fc.record({ c: fc.constant(c), more: durationArb(c.cal) }));
    fc.assert(
      fc.property(arb, ({ c: { cal, start, d }, more }) => {
        expect(addBusinessMs(start, d, cal).getTime()).toBeLessThanOrEqual(
          addBusinessMs(start, d + more, cal).getTime(),
        );
      }),
    );
  });

  it('when two targets are added one after the other, then the result equals adding their sum', () => {
    const arb = caseArb.chain((c) => fc.record({ c: fc.constant(c), b: durationArb(c.cal) }));
    fc.assert(
      fc.property(arb, ({ c: { cal, start, d }, b }) => {
        const stepwise = addBusinessMs(addBusinessMs(start, d, cal), b, cal);
        expect(stepwise.toISOString()).toBe(addBusinessMs(start, d + b, cal).toISOString());
      }),
    );
  });

  it('when a span is split anywhere, then the business time of the parts adds up', () => {
    const arb = caseArb.chain((c) =>
      fc.record({
        c: fc.constant(c),
        x: fc.integer({ min: 0, max: 30 * DAY }),
        y: fc.integer({ min: 0, max: 30 * DAY }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c: { cal, start }, x, y }) => {
        const mid = new Date(start.getTime() + x);
        const end = new Date(mid.getTime() + y);
        const whole = businessMsBetween(start, end, cal);
        expect(whole).toBe(businessMsBetween(start, mid, cal) + businessMsBetween(mid, end, cal));
        expect(whole).toBeLessThanOrEqual(x + y);
      }),
    );
  });

  it('when an instant is in business time, then the next millisecond counts, and the next business instant agrees', () => {
    fc.assert(
      fc.property(caseArb, ({ cal, start }) => {
        const inside = isBusinessTime(start, cal);
        expect(businessMsBetween(start, new Date(start.getTime() + 1), cal)).toBe(inside ? 1 : 0);
        const next = nextBusinessInstant(start, cal);
        expect(next.getTime() === start.getTime()).toBe(inside);
        expect(businessMsBetween(start, next, cal)).toBe(0);
        expect(isBusinessTime(next, cal)).toBe(true);
        expect(addBusinessMs(start, 1, cal).getTime() - 1).toBe(next.getTime());
      }),
    );
  });

  it('when no offset change is near, then business time is exactly the wall-clock intervals of working days', () => {
    fc.assert(
      fc.property(caseArb, ({ cal, start }) => {
        const zone = IANAZone.create(cal.timeZone);
        const t = start.getTime();
        fc.pre(zone.offset(t - 2 * DAY) === zone.offset(t + 2 * DAY));
        expect(isBusinessTime(start, cal)).toBe(wallClockSays(cal, t));
      }),
    );
  });

  it('when offset changes are near, then business time follows the documented first-reading rule', () => {
    const arb = calendarArb.chain((cal) =>
      fc.record({
        cal: fc.constant(cal),
        start: nearChangeArb(cal.timeZone, 36 * 60),
      }),
    );
    fc.assert(
      fc.property(arb, ({ cal, start }) => {
        const rule = firstReadingRule(cal, start);
        for (let t = start; t < start + 6 * HOUR; t += 7 * MIN + 3) {
          expect({ t: new Date(t).toISOString(), inside: isBusinessTime(new Date(t), cal) }).toEqual({
            t: new Date(t).toISOString(),
            inside: rule(t),
          });
        }
      }),
    );
  });

  it('when there is no calendar, then everything is plain arithmetic', () => {
    fc.assert(
      fc.property(
        startArb('Europe/Berlin'),
        fc.nat(),
        fc.integer({ min: -DAY, max: 60 * DAY }),
        (s, d, x) => {
          const start = new Date(s);
          expect(addBusinessMs(start, d, null).getTime()).toBe(s + d);
          expect(businessMsBetween(start, new Date(s + x), null)).toBe(Math.max(0, x));
          expect(isBusinessTime(start, null)).toBe(true);
          expect(nextBusinessInstant(start, null).getTime()).toBe(s);
        },
      ),
    );
  });
});

/** An independent reading of the calendar through luxon's local time, valid away from DST changes. */
function wallClockSays(cal: Calendar, t: number): boolean {
  const local = DateTime.fromMillis(t, { zone: cal.timeZone });
  const date = local.toISODate() ?? '';
  if (cal.holidays.some((h) => (h.yearly ? h.date.slice(5) === date.slice(5) : h.date === date)))
    return false;
  const ms = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
  const day = WEEKDAYS[local.weekday - 1] as Weekday;
  return cal.week[day].some((i) => minutesOf(i.start) * MIN <= ms && ms < minutesOf(i.end) * MIN);
}

/**
 * A second, slower statement of the DST rule, for instants within a day of `near`: an interval runs
 * from the first instant at which the wall clock reads its start (or later) to the first at which
 * it reads its end (or later). Offsets are sampled every 15 minutes, which finds every change of the
 * zones above in the years tested; the first such instant is the earliest candidate (a reading
 * equal to the local time under some offset, or an offset change) whose reading reaches it.
 */
function firstReadingRule(cal: Calendar, near: number): (t: number) => boolean {
  const STEP = 15 * MIN;
  const zone = IANAZone.create(cal.timeZone);
  const base = Math.floor((near - 3 * DAY) / STEP) * STEP;
  const offsets = Array.from({ length: (7 * DAY) / STEP }, (_, k) =>
    Math.round(zone.offset(base + k * STEP) * MIN),
  );
  const reading = (c: number) => c + (offsets[Math.floor((c - base) / STEP)] as number);
  const distinct = [...new Set(offsets)];
  const changes = offsets.flatMap((o, k) => (k > 0 && o !== offsets[k - 1] ? [base + k * STEP] : []));
  const first = (local: number) =>
    Math.min(...[...distinct.map((o) => local - o), ...changes].filter((c) => reading(c) >= local));
  return (t) => {
    const today = Math.floor(reading(t) / DAY);
    for (let day = today - 1; day <= today + 1; day++) {
      const date = new Date(day * DAY).toISOString().slice(0, 10);
      if (cal.holidays.some((h) => (h.yearly ? h.date.slice(5) === date.slice(5) : h.date === date)))
        continue;
      const weekday = WEEKDAYS[(new Date(day * DAY).getUTCDay() + 6) % 7] as Weekday;
      for (const i of cal.week[weekday]) {
        const a = first(day * DAY + minutesOf(i.start) * MIN);
        const b = first(day * DAY + minutesOf(i.end) * MIN);
        if (a <= t && t < b) return true;
      }
    }
    return false;
  };
}
