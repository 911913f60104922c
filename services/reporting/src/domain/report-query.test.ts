import { describe, expect, it } from 'vitest';
import { cellKey, cellsOf, familyOf, parseCellKey } from './cells.ts';
import { cellSelector, resolveRange } from './report-query.ts';

const now = new Date('2026-11-16T23:30:00Z');

describe('report ranges', () => {
  it('when no dates are given, then the last 7 days end today in the zone', () => {
    expect(resolveRange({}, 'UTC', now)).toEqual({ from: '2026-11-10', to: '2026-11-16' });
    expect(resolveRange({}, 'Europe/Berlin', now)).toEqual({ from: '2026-11-11', to: '2026-11-17' });
  });

  it('when only from is given, then the range is 7 days from it', () => {
    expect(resolveRange({ from: '2026-02-25' }, 'UTC', now)).toEqual({
      from: '2026-02-25',
      to: '2026-03-03',
    });
  });

  it('when dates are impossible, reversed or too far apart, then a 400 says which', () => {
    expect(() => resolveRange({ from: '2026-02-30' }, 'UTC', now)).toThrow(/from must be a date/);
    expect(() => resolveRange({ from: '2026-11-12', to: '2026-11-11' }, 'UTC', now)).toThrow(/after/);
    expect(() => resolveRange({ from: '2025-11-15', to: '2026-11-16' }, 'UTC', now)).toThrow(/367 days/);
    expect(resolveRange({ from: '2025-11-16', to: '2026-11-16' }, 'UTC', now).from).toBe('2025-11-16');
  });
});

describe('cells', () => {
  it('when ids hold dots, dollars or ampersands, then keys stay safe field names and round-trip', () => {
    const key = cellKey({ c: 'a.b&c=$d', a: null });
    expect(key).not.toMatch(/[.$]/);
    expect(parseCellKey(key)).toEqual({ c: 'a.b&c=$d', a: null });
    expect(familyOf(key)).toBe('ca');
    expect(cellsOf({ p: 'high', c: null, a: 'u1' }).map(familyOf)).toEqual([
      'all',
      'p',
      'c',
      'a',
      'pc',
      'pa',
      'ca',
    ]);
  });

  it('when grouping with a filter, then only the matching pair cells are groups', () => {
    const { total, groupOf, families } = cellSelector({ c: 'c1' }, 'agent');
    expect(total).toBe('c=c1');
    expect(families).toEqual(['c', 'ca']);
    expect(groupOf(cellKey({ c: 'c1', a: 'u1' }))).toEqual({ value: 'u1' });
    expect(groupOf(cellKey({ c: 'c2', a: 'u1' }))).toBeUndefined();
    expect(groupOf(cellKey({ a: 'u1' }))).toBeUndefined();
  });

  it('when three dimensions are named, then the query is refused', () => {
    expect(() => cellSelector({ p: 'high', c: 'c1' }, 'agent')).toThrow(/at most two/);
  });
});
