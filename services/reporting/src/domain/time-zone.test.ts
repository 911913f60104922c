import { describe, expect, it } from 'vitest';
import { canonicalZone, localDay, offsetMs, slotDayMapper, slotOf, startOfLocalDay } from './time-zone.ts';

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

  it('when a zone is not IANA, then it is refused; known ones are canonical', () => {
    expect(canonicalZone('Mars/Olympus')).toBeNull();
    expect(canonicalZone('../etc')).toBeNull();
    expect(canonicalZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalZone('UTC')).toBe('UTC');
  });
});
