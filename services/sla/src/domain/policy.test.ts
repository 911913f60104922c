import { describe, expect, it } from 'vitest';
import { CLOCKS, defaultPolicy, type EscalationStep, stepThresholdMs, targetFor } from './policy.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('defaultPolicy', () => {
  it('when nothing is configured, then periodic update has System A targets, 24x7, paused by pending', () => {
    const p = defaultPolicy(null);
    expect(p.clocks.periodic_update).toEqual({
      targetsMs: { critical: 30 * MIN, high: HOUR, medium: 4 * HOUR, low: 24 * HOUR },
      calendar: null,
      pauseStatuses: ['pending'],
      warningPercents: [],
    });
    expect(p.policyId).toBeNull();
  });

  it('when nothing is configured, then first response and resolution are off', () => {
    const p = defaultPolicy(null);
    for (const priority of ['low', 'medium', 'high', 'critical'] as const) {
      expect(targetFor(p, 'first_response', priority)).toBeNull();
      expect(targetFor(p, 'resolution', priority)).toBeNull();
    }
  });

  it('when nothing is configured, then pending pauses all three clocks', () => {
    const p = defaultPolicy(8);
    expect(CLOCKS.map((c) => p.clocks[c].pauseStatuses)).toEqual([['pending'], ['pending'], ['pending']]);
  });

  it('when nothing is configured, then the ladder steps the level up at each period up to level 3', () => {
    expect(defaultPolicy(null).escalations).toEqual(
      [0, 1, 2].map((offsetPeriods) => ({
        clock: 'periodic_update',
        level: 3,
        stepUp: true,
        offsetMs: 0,
        offsetPeriods,
        actions: [],
      })),
    );
  });

  it.each([
    [8, 8 * HOUR],
    [1.5, 90 * MIN],
    [72, 72 * HOUR],
  ])('when the category says %d hours, then resolution targets %d ms at every priority', (hours, ms) => {
    const p = defaultPolicy(hours);
    expect(p.clocks.resolution.targetsMs).toEqual({ low: ms, medium: ms, high: ms, critical: ms });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'when the category hours are %d, then resolution is off',
    (hours) => {
      expect(targetFor(defaultPolicy(hours), 'resolution', 'high')).toBeNull();
    },
  );

  it('when built twice, then the two policies share nothing mutable', () => {
    const a = defaultPolicy(null);
    a.clocks.periodic_update.targetsMs.high = 1;
    a.clocks.resolution.pauseStatuses.push('open');
    expect(defaultPolicy(null).clocks.periodic_update.targetsMs.high).toBe(HOUR);
    expect(defaultPolicy(null).clocks.resolution.pauseStatuses).toEqual(['pending']);
  });

  it('when sent through JSON, then it is unchanged', () => {
    const p = defaultPolicy(4);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('stepThresholdMs', () => {
  const step = (offsetMs: number, offsetPeriods: number): EscalationStep => ({
    clock: 'resolution',
    level: 1,
    stepUp: false,
    offsetMs,
    offsetPeriods,
    actions: [],
  });

  it('when a step has no offset, then it fires at the breach', () => {
    expect(stepThresholdMs(step(0, 0), HOUR)).toBe(HOUR);
  });

  it('when a step has an offset and periods, then both add to the target', () => {
    expect(stepThresholdMs(step(10 * MIN, 2), HOUR)).toBe(3 * HOUR + 10 * MIN);
  });
});
