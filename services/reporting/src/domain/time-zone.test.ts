import { describe, expect, it } from 'vitest';
import {
  canonicalZone,
  localDay,
  offsetAt,
  offsetMs,
  slotDayMapper,
  slotOf,
  startOfLocalDay,
  utcDay,
} from './time-zone.ts';

describe('time zones', () => {
  it('when an instant is late in the UTC day, then its local day depends on the zone', () => {
    const at = Date.parse('2026-11-10T23:50:00Z');
    expect(localDay(at, 'UTC')).toBe('2026-11-10');
    expect(localDay(at, 'Europe/Berlin')).toBe('2026-11-11');
    expect(localDay(at, 'America/Los_Angeles')).toBe('2026-11-10');
  });

  it('when a day has a DST change, then its start and the days around it are right', () => {
    // Europe/Berlin leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC): a 25-hour day.
    expect(new Date(startOfLocalDay('2026-10-25', 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-24T22:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-10-26', 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T23:00:00.000Z',
    );
    expect(localDay(Date.parse('2026-10-25T22:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(localDay(Date.parse('2026-10-25T23:00:00Z'), 'Europe/Berlin')).toBe('2026-10-26');
    // New York enters summer time on 2026-03-08: a 23-hour day.
    expect(new Date(startOfLocalDay('2026-03-08', 'America/New_York')).toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-03-09', 'America/New_York')).toISOString()).toBe(
      '2026-03-09T04:00:00.000Z',
    );
  });

  it('when offsets are fractional hours, then quarter-hour slots still map to one local day each', () => {
    expect(offsetMs('Asia/Kathmandu', Date.parse('2026-11-10T00:00:00Z'))).toBe(5.75 * 3_600_000);
    const kathmandu = slotDayMapper('2026-11-10', 'Asia/Kathmandu');
    // 18:15 UTC is 00:00 on the 11th in Kathmandu (+05:45): slot 73 starts the next local day.
    expect(kathmandu(72)).toBe('2026-11-10');
    expect(kathmandu(73)).toBe('2026-11-11');
    expect(slotOf(Date.parse('2026-11-10T18:15:00Z'))).toBe(73);
  });

  it('when a UTC day holds a DST change, then each slot uses its own offset', () => {
    const berlin = slotDayMapper('2026-10-25', 'Europe/Berlin');
    expect(berlin(0)).toBe('2026-10-25'); // 00:00 UTC = 02:00 CEST
    expect(berlin(91)).toBe('2026-10-25'); // 22:45 UTC = 23:45 CET
    expect(berlin(92)).toBe('2026-10-26'); // 23:00 UTC = 00:00 CET
  });

  it('when slots are mapped, then every slot of every day gets the local date of its instant', () => {
    // The mapper works out one split slot for a day with one offset; checked against the
    // per-instant date for zones at both ends of the offset range, quarter-hour ones, DST ones
    // (including a zone whose change skips midnight), on ordinary and transition days.
    const zones = [
      'UTC',
      'Etc/GMT-14',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
      'Asia/Kathmandu',
      'Australia/Eucla',
      'Asia/Kolkata',
      'Europe/Berlin',
      'America/Los_Angeles',
      'Atlantic/Azores',
      'America/Santiago',
      'Australia/Lord_Howe',
    ];
    const days = [
      '2026-03-08',
      '2026-03-29',
      '2026-04-05',
      '2026-09-06',
      '2026-10-04',
      '2026-10-25',
      '2026-11-01',
      '2026-11-10',
    ];
    for (const tz of zones) {
      for (const day of days) {
        const map = slotDayMapper(day, tz);
        const start = Date.parse(`${day}T00:00:00Z`);
        for (let slot = 0; slot < 96; slot++) {
          expect(map(slot), `${tz} ${day} slot ${slot}`).toBe(localDay(start + slot * 15 * 60_000, tz));
        }
      }
    }
  });

  it('when an offset or a zone name is asked for again, then the remembered answer is the same', () => {
    const at = Date.parse('2026-10-25T00:30:00Z');
    expect(offsetMs('Europe/Berlin', at)).toBe(2 * 3_600_000);
    expect(offsetMs('Europe/Berlin', at)).toBe(2 * 3_600_000);
    expect(offsetMs('Europe/Berlin', at + 3_600_000)).toBe(3_600_000);
    expect(offsetMs('UTC', at + 123)).toBe(0);
    expect(canonicalZone('Asia/Calcutta')).toBe(canonicalZone('Asia/Calcutta'));
    expect(canonicalZone('Mars/Olympus')).toBeNull();
    expect(canonicalZone('Mars/Olympus')).toBeNull();
  });

  it('when offsets are remembered per hour, then every instant still gets its own offset', () => {
    // Transitions on a UTC hour (Berlin, New York, Lord Howe's half-hour step) and inside one
    // (Adelaide and St John's, whose offsets have half hours), each hour asked cold, then warm.
    const around = [
      ['Europe/Berlin', '2026-10-25T01:00:00Z'],
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Adelaide', '2026-04-04T16:30:00Z'],
      ['Australia/Adelaide', '2026-10-03T16:30:00Z'],
      ['America/St_Johns', '2026-03-08T05:30:00Z'],
      ['America/St_Johns', '2026-11-01T04:30:00Z'],
    ] as const;
    for (const pass of ['cold', 'warm']) {
      for (const [tz, at] of around) {
        const t = Date.parse(at);
        for (let ms = t - 3 * 3_600_000; ms <= t + 3 * 3_600_000; ms += 60_000) {
          for (const instant of [ms, ms - 1, ms + 999]) {
            const exact = offsetMs(tz, instant);
            expect(offsetAt(tz, instant), `${pass} ${tz} ${new Date(instant).toISOString()}`).toBe(exact);
            expect(localDay(instant, tz)).toBe(new Date(instant + exact).toISOString().slice(0, 10));
          }
        }
      }
    }
    expect(offsetAt('UTC', Date.parse('2026-06-01T12:00:00Z'))).toBe(0);
    expect(utcDay(Date.parse('2026-12-31T23:59:59.999Z'))).toBe('2026-12-31');
    expect(utcDay(Date.parse('1969-12-31T23:59:59.999Z'))).toBe('1969-12-31');
    expect(() => utcDay(Number.NaN)).toThrow(RangeError);
  });

  it('when a zone is not IANA, then it is refused; known ones are canonical', () => {
    expect(canonicalZone('Mars/Olympus')).toBeNull();
    expect(canonicalZone('../etc')).toBeNull();
    expect(canonicalZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalZone('UTC')).toBe('UTC');
  });
});
