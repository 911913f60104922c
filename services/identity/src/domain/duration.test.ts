import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43_200],
    ['14d', 1_209_600],
    ['0', 0],
  ])('when given %j, then it is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '15 minutes', '-1m', '1.5h', 'm'])('when given %j, then it is refused', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
