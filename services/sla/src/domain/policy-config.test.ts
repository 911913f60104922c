import { describe, expect, it } from 'vitest';
import type { Calendar } from './business-time.ts';
import { DEFAULT_PAUSE_STATUSES } from './policy.ts';
import { calendarIdsOf, firstMatch, type SlaPolicy, toResolvedPolicy } from './policy-config.ts';

const off = { low: null, medium: null, high: null, critical: null };
const clockOff = {
  targetsMinutes: off,
  calendarId: null,
  pauseStatuses: [...DEFAULT_PAUSE_STATUSES],
  warningPercents: [],
};

function policy(over: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 'p-1',
    orgId: 'org-1',
    name: 'gold',
    position: 0,
    active: true,
    conditions: { priorities: null, categoryIds: null, condition: null },
    clocks: { first_response: clockOff, periodic_update: clockOff, resolution: clockOff },
    escalations: [],
    version: 3,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...over,
  };
}

const berlin: Calendar = {
  timeZone: 'Europe/Berlin',
  week: { mon: [{ start: '09:00', end: '17:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  holidays: [],
};

describe('toResolvedPolicy', () => {
  it('when a policy has targets in minutes, a calendar and a ladder, then the engine gets ms, the calendar and fixed steps', () => {
    const p = policy({
      clocks: {
        first_response: {
          ...clockOff,
          targetsMinutes: { low: null, medium: 60, high: 30, critical: 15 },
          calendarId: 'cal-1',
        },
        periodic_update: {
          ...clockOff,
          targetsMinutes: { low: 1, medium: 1, high: 1, critical: 1 },
          warningPercents: [50],
        },
        resolution: clockOff,
      },
      escalations: [
        {
          level: 1,
          clock: 'first_response',
          offsetMinutes: 0,
          actions: [{ type: 'notify', userIds: ['u-1'], roles: ['admin'] }],
        },
        { level: 2, clock: 'first_response', offsetMinutes: 30, actions: [{ type: 'raise_priority' }] },
      ],
    });
    const r = toResolvedPolicy(p, new Map([['cal-1', berlin]]), null);
    expect(r).toMatchObject({ policyId: 'p-1', version: 3, name: 'gold' });
    expect(r.clocks.first_response).toEqual({
      targetsMs: { low: null, medium: 3_600_000, high: 1_800_000, critical: 900_000 },
      calendar: berlin,
      pauseStatuses: ['pending'],
      warningPercents: [],
    });
    expect(r.clocks.periodic_update.targetsMs.low).toBe(60_000);
    expect(r.clocks.periodic_update.calendar).toBeNull();
    expect(r.clocks.periodic_update.warningPercents).toEqual([50]);
    expect(r.escalations).toEqual([
      {
        clock: 'first_response',
        level: 1,
        stepUp: false,
        offsetMs: 0,
        offsetPeriods: 0,
        actions: [{ type: 'notify', userIds: ['u-1'], roles: ['admin'] }],
      },
      {
        clock: 'first_response',
        level: 2,
        stepUp: false,
        offsetMs: 1_800_000,
        offsetPeriods: 0,
        actions: [{ type: 'raise_priority' }],
      },
    ]);
  });

  it('when the policy leaves resolution off and the category has hours, then the hours fill the priorities left off', () => {
    const p = policy({
      clocks: { ...policy().clocks, resolution: { ...clockOff, targetsMinutes: { ...off, critical: 120 } } },
    });
    expect(toResolvedPolicy(p, new Map(), 8).clocks.resolution.targetsMs).toEqual({
      low: 8 * 3_600_000,
      medium: 8 * 3_600_000,
      high: 8 * 3_600_000,
      critical: 120 * 60_000,
    });
    // Other clocks never take the category's hours.
    expect(toResolvedPolicy(p, new Map(), 8).clocks.first_response.targetsMs).toEqual(off);
    expect(toResolvedPolicy(p, new Map(), null).clocks.resolution.targetsMs.low).toBeNull();
  });

  it('when a calendar the policy names is missing, then it refuses rather than counting 24x7', () => {
    const p = policy({ clocks: { ...policy().clocks, resolution: { ...clockOff, calendarId: 'gone' } } });
    expect(() => toResolvedPolicy(p, new Map(), null)).toThrow(/calendar gone/);
    expect(calendarIdsOf(p)).toEqual(['gone']);
  });
});

describe('firstMatch', () => {
  const fields = {
    priority: 'high',
    categoryId: 'cat-1',
    category: 'cat-1',
    tags: ['vip'],
    title: 'Printer down',
  };

  it('when several policies match, then the lowest position wins, then the oldest', () => {
    const a = policy({ id: 'a', position: 5 });
    const b = policy({ id: 'b', position: 1, createdAt: new Date('2026-02-01T00:00:00Z') });
    const c = policy({ id: 'c', position: 1, createdAt: new Date('2026-01-15T00:00:00Z') });
    expect(firstMatch([a, b, c], fields)?.id).toBe('c');
  });

  it('when a policy is inactive or a condition fails, then the next one is taken', () => {
    const inactive = policy({ id: 'inactive', position: 0, active: false });
    const otherPriority = policy({
      id: 'prio',
      position: 1,
      conditions: { priorities: ['low'], categoryIds: null, condition: null },
    });
    const otherCategory = policy({
      id: 'cat',
      position: 2,
      conditions: { priorities: null, categoryIds: ['cat-2'], condition: null },
    });
    const noVip = policy({
      id: 'json',
      position: 3,
      conditions: { priorities: null, categoryIds: null, condition: { field: 'tags', contains: 'gold' } },
    });
    const vip = policy({
      id: 'vip',
      position: 4,
      conditions: {
        priorities: ['high'],
        categoryIds: ['cat-1'],
        condition: { field: 'tags', contains: 'vip' },
      },
    });
    expect(firstMatch([inactive, otherPriority, otherCategory, noVip, vip], fields)?.id).toBe('vip');
    expect(firstMatch([inactive, otherPriority, otherCategory, noVip], fields)).toBeNull();
  });

  it('when the ticket has no category, then a policy restricted to categories does not match', () => {
    const p = policy({ conditions: { priorities: null, categoryIds: ['cat-1'], condition: null } });
    expect(firstMatch([p], { ...fields, categoryId: null, category: null })).toBeNull();
  });
});
