import { describe, expect, it } from 'vitest';
import { activeKey, isDue, publishedKeys, type SigningKey } from './signing-key.ts';

const at = (iso: string) => new Date(iso);
const key = (kid: string, createdAt: string, retired?: { at: string; removeAfter: string }): SigningKey => ({
  kid,
  alg: 'EdDSA',
  publicJwk: {},
  privateJwk: {},
  createdAt: at(createdAt),
  retiredAt: retired ? at(retired.at) : null,
  removeAfter: retired ? at(retired.removeAfter) : null,
});

describe('signing keys', () => {
  const old = key('old', '2030-01-01T00:00:00Z', {
    at: '2030-02-01T00:00:00Z',
    removeAfter: '2030-02-01T00:20:00Z',
  });
  const a = key('a', '2030-02-01T00:00:00Z');
  const b = key('b', '2030-02-01T00:00:01Z');

  it('when two keys are unretired, then the newest signs', () => {
    expect(activeKey([old, a, b])?.kid).toBe('b');
    expect(activeKey([old])).toBeUndefined();
  });

  it('when a retired key is past removeAfter, then it leaves the JWKS', () => {
    expect(publishedKeys([old, a], at('2030-02-01T00:10:00Z')).map((k) => k.kid)).toEqual(['old', 'a']);
    expect(publishedKeys([old, a], at('2030-02-01T00:20:00Z')).map((k) => k.kid)).toEqual(['a']);
  });

  it('when the active key reaches the max age, then rotation is due; 0 means never', () => {
    expect(isDue(undefined, at('2030-02-01T00:00:00Z'), 0)).toBe(true);
    expect(isDue(a, at('2030-03-02T23:59:59Z'), 30 * 86_400)).toBe(false);
    expect(isDue(a, at('2030-03-03T00:00:00Z'), 30 * 86_400)).toBe(true);
    expect(isDue(a, at('2040-01-01T00:00:00Z'), 0)).toBe(false);
  });
});
