import { IANAZone } from 'luxon';

/*
 * Business-hours arithmetic for the SLA clocks. Pure and deterministic (it runs inside Temporal
 * workflows): every instant comes from the arguments, and the only outside input is the time-zone
 * data of the runtime, read through luxon.
 *
 * How a calendar becomes real time. Each interval of a working day (a local date in the
 * calendar's zone that is not a holiday) covers one contiguous stretch of real time: from the
 * first instant of the day at which the wall clock reads its start, or later, to the first instant
 * at which it reads its end, or later. So on a spring-forward day a local time inside the gap maps
 * to the moment of the change (01:00–04:00 in Berlin is 2 h of real time; 02:00–02:30 is empty),
 * and on a fall-back day a repeated local time means its first occurrence (01:00–04:00 is 4 h;
 * 02:00–02:30 is the first half hour only). The mapping never goes backwards, so intervals of
 * consecutive days never overlap. 24:00 is the next day's 00:00.
 *
 * Holidays are whole local days off. A yearly holiday recurs on its month and day, whatever its
 * year; a yearly 29 February happens in leap years only.
 */

export interface Interval {
  /** "HH:MM", local time in the calendar's zone. */
  start: string;
  /** "HH:MM", after `start`, at most "24:00". */
  end: string;
}
export interface Holiday {
  /** "YYYY-MM-DD", a local date in the calendar's zone. */
  date: string;
  yearly: boolean;
  name?: string;
}
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Treated as immutable: each calendar object is compiled once and the result cached. */
export interface Calendar {
  /** An IANA zone name (`Europe/Berlin`). */
  timeZone: string;
  /** Per weekday, sorted non-overlapping intervals. */
  week: Record<Weekday, Interval[]>;
  holidays: Holiday[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** No clock runs longer; a target that far away means a calendar with (almost) no working time. */
const MAX_DAYS = 20 * 366;

/** The instant when `ms` of business time have passed after `start` (start outside hours: counting begins at the next opening). */
export function addBusinessMs(start: Date, ms: number, calendar: Calendar | null): Date {
  const from = instant(start, 'start');
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ms must be a finite number >= 0, got ${ms}`);
  // Rounded up so that a fractional target is never reported early. Zero is due at once.
  let left = Math.ceil(ms);
  if (calendar === null || left === 0) return new Date(from + left);
  const due = scan(compile(calendar), from, null, (a, b) => {
    const begin = Math.max(a, from);
    if (left <= b - begin) return begin + left;
    left -= b - begin;
    return undefined;
  });
  return new Date(due ?? unreachable('the target is not reached'));
}

/** Business time between two instants (0 if to <= from). */
export function businessMsBetween(from: Date, to: Date, calendar: Calendar | null): number {
  const lo = instant(from, 'from');
  const hi = instant(to, 'to');
  if (hi <= lo) return 0;
  if (calendar === null) return hi - lo;
  let sum = 0;
  scan(compile(calendar), lo, hi, (a, b) => {
    if (a >= hi) return true;
    sum += Math.min(b, hi) - Math.max(a, lo);
    return undefined;
  });
  return sum;
}

export function isBusinessTime(at: Date, calendar: Calendar | null): boolean {
  return nextBusinessInstant(at, calendar).getTime() === instant(at, 'at');
}

/** The next instant >= at that is inside business hours. */
export function nextBusinessInstant(at: Date, calendar: Calendar | null): Date {
  const t = instant(at, 'at');
  if (calendar === null) return new Date(t);
  return new Date(
    scan(compile(calendar), t, null, (a) => Math.max(a, t)) ?? unreachable('no working time comes'),
  );
}

function instant(d: Date, name: string): number {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError(`${name} is not a valid date`);
  return t;
}

function unreachable(what: string): never {
  throw new RangeError(`${what} within 20 years`);
}

interface Compiled {
  zone: ZoneOffsets;
  /** Per weekday (0 = Sunday, as `Date#getUTCDay`), flat [start, end, start, end, ...] in local ms of the day. */
  days: number[][];
  /** One-off holidays as local day numbers (days since 1970-01-01). */
  oneOff: Set<number>;
  /** Yearly holidays as month * 100 + day. */
  yearly: Set<number>;
}

const compiled = new WeakMap<Calendar, Compiled>();

function compile(calendar: Calendar): Compiled {
  const hit = compiled.get(calendar);
  if (hit) return hit;
  const order: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const c: Compiled = {
    zone: ZoneOffsets.of(calendar.timeZone),
    days: order.map((d) => calendar.week[d].flatMap((i) => [localMs(i.start), localMs(i.end)])),
    oneOff: new Set(),
    yearly: new Set(),
  };
  for (const h of calendar.holidays) {
    const [y, m, d] = h.date.split('-').map(Number) as [number, number, number];
    if (h.yearly) c.yearly.add(m * 100 + d);
    else c.oneOff.add(Date.UTC(y, m - 1, d) / DAY);
  }
  compiled.set(calendar, c);
  return c;
}

function localMs(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return (h * 60 + m) * MINUTE;
}

/**
 * Calls `visit(a, b)` for each real business interval [a, b) that ends after `from`, in order,
 * and returns its first answer other than undefined; it gives up after the local day holding
 * `until`, or after MAX_DAYS without it.
 */
function scan<T>(
  c: Compiled,
  from: number,
  until: number | null,
  visit: (a: number, b: number) => T | undefined,
): T | undefined {
  const first = localDay(c, from);
  const last = until === null ? first + MAX_DAYS : localDay(c, until) + 1;
  for (let day = first; day <= last; day++) {
    const bounds = c.days[(((day + 4) % 7) + 7) % 7] as number[];
    if (bounds.length === 0 || isHoliday(c, day)) continue;
    const toInstant = c.zone.localToInstant(day);
    const base = day * DAY;
    for (let i = 0; i < bounds.length; i += 2) {
      const a = toInstant(base + (bounds[i] as number));
      const b = toInstant(base + (bounds[i + 1] as number));
      if (b <= a || b <= from) continue;
      const answer = visit(a, b);
      if (answer !== undefined) return answer;
    }
  }
  return undefined;
}

function localDay(c: Compiled, t: number): number {
  return Math.floor((t + c.zone.offsetAt(t)) / DAY);
}

function isHoliday(c: Compiled, day: number): boolean {
  if (c.oneOff.has(day)) return true;
  if (c.yearly.size === 0) return false;
  const d = new Date(day * DAY);
  return c.yearly.has((d.getUTCMonth() + 1) * 100 + d.getUTCDate());
}

/**
 * UTC offsets of one zone, read from the runtime once per UTC day and cached, because a lookup
 * through Intl costs microseconds and a month-long clock crosses hundreds of intervals.
 * Assumes at most one offset change per UTC day, as in every zone's current rules.
 */
class ZoneOffsets {
  static #all = new Map<string, ZoneOffsets>();
  static of(name: string): ZoneOffsets {
    let z = ZoneOffsets.#all.get(name);
    if (!z) {
      const zone = IANAZone.create(name);
      if (!zone.isValid) throw new RangeError(`unknown time zone ${name}`);
      z = new ZoneOffsets(zone);
      ZoneOffsets.#all.set(name, z);
    }
    return z;
  }

  readonly #zone: IANAZone;
  /** UTC day → offset at its start (ms). */
  readonly #atStart = new Map<number, number>();
  /** UTC day → instant of the offset change within it, or null. */
  readonly #change = new Map<number, number | null>();

  private constructor(zone: IANAZone) {
    this.#zone = zone;
  }

  offsetAt(t: number): number {
    const day = Math.floor(t / DAY);
    const change = this.#changeIn(day);
    return change !== null && t >= change ? this.#startOffset(day + 1) : this.#startOffset(day);
  }

  /** Maps local ms (on local day `day`) to the first instant at which the wall clock reads it or later. */
  localToInstant(day: number): (local: number) => number {
    // Every instant of local day `day` lies within UTC days day-1 .. day+1 (offsets stay under 24 h).
    const c0 = this.#changeIn(day - 1);
    const c1 = this.#changeIn(day);
    const c2 = this.#changeIn(day + 1);
    const off = this.#startOffset(day - 1);
    if (c0 === null && c1 === null && c2 === null) return (local) => local - off;
    // Spans of constant offset, in time order: from[i] until from[i + 1] (or forever) has offs[i].
    const from = [Number.NEGATIVE_INFINITY];
    const offs = [off];
    [c0, c1, c2].forEach((change, i) => {
      if (change === null) return;
      from.push(change);
      offs.push(this.#startOffset(day + i));
    });
    return (local) => {
      // The first span whose wall-clock readings go past `local` holds the answer; if `local` is
      // before the span's first reading, it fell into a gap and maps to the change itself.
      let i = 0;
      while (i < offs.length - 1 && local >= (from[i + 1] as number) + (offs[i] as number)) i++;
      return Math.max(from[i] as number, local - (offs[i] as number));
    };
  }

  #startOffset(day: number): number {
    let o = this.#atStart.get(day);
    if (o === undefined) {
      o = this.#read(day * DAY);
      this.#remember(this.#atStart, day, o);
    }
    return o;
  }

  #changeIn(day: number): number | null {
    let c = this.#change.get(day);
    if (c === undefined) {
      const before = this.#startOffset(day);
      c = null;
      if (before !== this.#startOffset(day + 1)) {
        // Zones change on whole seconds: bisect seconds for the first one with the new offset.
        let lo = day * 86_400;
        let hi = lo + 86_400;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.#read(mid * 1000) === before) lo = mid;
          else hi = mid;
        }
        c = hi * 1000;
      }
      this.#remember(this.#change, day, c);
    }
    return c;
  }

  #read(t: number): number {
    return Math.round(this.#zone.offset(t) * MINUTE);
  }

  /** Keeps the caches bounded for long-lived workers; forgetting only costs recomputation. */
  #remember<V>(map: Map<number, V>, day: number, value: V): void {
    if (map.size >= 100_000) map.clear();
    map.set(day, value);
  }
}
