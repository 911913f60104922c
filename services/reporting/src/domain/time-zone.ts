const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const SLOT_MS = 15 * 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The canonical IANA name of `tz`, or null when the runtime does not know the zone. */
export function canonicalZone(tz: string): string | null {
  const known = canonical.get(tz);
  if (known) return known;
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(tz)) return null;
  try {
    const zone = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    // Only names the runtime knows are kept (a few hundred, with their aliases), so callers
    // cannot grow the map with made-up ones; the bound is a backstop.
    if (canonical.size >= 4_096) canonical.clear();
    canonical.set(tz, zone);
    return zone;
  } catch {
    return null;
  }
}

const canonical = new Map<string, string>();
/**
 * Offsets at the start and at the last slot of UTC days, per zone: reports ask for the same days
 * again and again. Only those are kept; event instants hardly ever repeat and would crowd them out.
 */
const dayStartOffsets = new Map<string, Map<number, number>>();
/**
 * Per zone, the offset all through each UTC hour that holds no transition (NaN: the hour holds
 * one). Events of the same hours are projected again and again, while each Intl lookup costs
 * about as much as the rest of a ticket's projection.
 */
const hourOffsets = new Map<string, Map<number, number>>();
/** UTC day number → `YYYY-MM-DD`. */
const dayNames = new Map<number, string>();

/** The zone's map in a per-zone cache, both bounded (cleared when full). */
function zoneMap<V>(cache: Map<string, Map<number, V>>, tz: string, limit: number): Map<number, V> {
  let zone = cache.get(tz);
  if (!zone) {
    if (cache.size >= 1_024) cache.clear();
    zone = new Map();
    cache.set(tz, zone);
  }
  if (zone.size >= limit) zone.clear();
  return zone;
}

/** The zone's offset from UTC at instant `ms` (local = utc + offset). */
export function offsetMs(tz: string, ms: number): number {
  if (tz === 'UTC') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * `offsetMs`, remembered per UTC hour: when the offsets at an hour's first and last second agree,
 * the hour holds no transition (no zone has two within an hour), so the offset holds all through
 * it. An hour that holds one is worked out instant by instant.
 */
export function offsetAt(tz: string, ms: number): number {
  if (tz === 'UTC') return 0;
  const hour = Math.floor(ms / HOUR_MS);
  const zone = zoneMap(hourOffsets, tz, 65_536);
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = offsetMs(tz, hour * HOUR_MS);
    offset = first === offsetMs(tz, (hour + 1) * HOUR_MS - 1_000) ? first : Number.NaN;
    zone.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetMs(tz, ms) : offset;
}

/** `YYYY-MM-DD` of a UTC instant read as a UTC calendar date. */
export function utcDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(ms).toISOString().slice(0, 10);
    if (dayNames.size >= 65_536) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

/** The calendar date of instant `ms` in zone `tz`. */
export const localDay = (ms: number, tz: string) => utcDay(ms + offsetAt(tz, ms));

/**
 * The instant the local date `day` starts in `tz`. The offset guess can land off by the DST step
 * where a transition skips midnight itself (Atlantic/Azores, America/Santiago, America/Havana);
 * offsets are whole quarter hours, so stepping by them finds the exact start.
 */
export function startOfLocalDay(day: string, tz: string): number {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const first = guess - offsetMs(tz, guess);
  let at = guess - offsetMs(tz, first);
  while (localDay(at, tz) < day) at += SLOT_MS;
  while (localDay(at - SLOT_MS, tz) >= day) at -= SLOT_MS;
  return at;
}

export const addDays = (day: string, n: number) => utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);

export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** Every date from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Index (0..95) of the UTC quarter hour `ms` falls in. */
export const slotOf = (ms: number) => Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / SLOT_MS);

/**
 * Maps the quarter-hour slots of one UTC day to local dates in `tz`. Every real offset is a
 * multiple of 15 minutes, so a slot never straddles a local midnight and the sum is exact.
 * Offsets are looked up once per day unless the day holds a transition.
 */
export function slotDayMapper(utcDate: string, tz: string): (slot: number) => string {
  const start = Date.parse(`${utcDate}T00:00:00Z`);
  const first = dayOffset(tz, start);
  const last = dayOffset(tz, start + DAY_MS - SLOT_MS);
  if (first === last) {
    // One offset all day: the slots fall on at most two local dates, split at one slot.
    const before = utcDay(start + first);
    const after = utcDay(start + DAY_MS - SLOT_MS + first);
    if (before === after) return () => before;
    const split = Math.ceil((Date.parse(`${after}T00:00:00Z`) - start - first) / SLOT_MS);
    return (slot) => (slot < split ? before : after);
  }
  return (slot) => localDay(start + slot * SLOT_MS, tz);
}

/** `offsetMs` at a UTC midnight or the last slot of its day, remembered per zone (bounded). */
function dayOffset(tz: string, instant: number): number {
  if (tz === 'UTC') return 0;
  const zone = zoneMap(dayStartOffsets, tz, 8_192);
  const known = zone.get(instant);
  if (known !== undefined) return known;
  const offset = offsetMs(tz, instant);
  zone.set(instant, offset);
  return offset;
}
