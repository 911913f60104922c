import { describe, expect, it } from 'vitest';
import { InMemorySigningKeys } from '../../test/fakes.ts';
import { activeKey, publishedKeys } from '../domain/signing-key.ts';
import { rotateSigningKey } from './rotate-signing-key.ts';

function setup() {
  const keys = new InMemorySigningKeys();
  const clock = { now: new Date('2030-01-01T00:00:00Z') };
  let n = 0;
  const deps = {
    keys,
    clock: () => clock.now,
    retention: 1000,
    generate: async () => ({ kid: `k${++n}`, alg: 'EdDSA' as const, publicJwk: {}, privateJwk: {} }),
  };
  const advance = (s: number) => {
    clock.now = new Date(clock.now.getTime() + s * 1000);
  };
  return { keys, deps, advance };
}

describe('rotateSigningKey', () => {
  it('when no key exists, then start-up makes one', async () => {
    const { deps, keys } = setup();
    expect(await rotateSigningKey(deps, { maxAge: 0 })).toEqual({ rotated: true, kid: 'k1', removed: [] });
    expect(await rotateSigningKey(deps, { maxAge: 0 })).toEqual({ rotated: false, kid: 'k1', removed: [] });
    expect(keys.keys.size).toBe(1);
  });

  it('when the active key is old enough, then start-up replaces it and keeps the old one for retention', async () => {
    const { deps, keys, advance } = setup();
    await rotateSigningKey(deps, { maxAge: 100 });
    advance(99);
    expect((await rotateSigningKey(deps, { maxAge: 100 })).rotated).toBe(false);
    advance(1);
    expect(await rotateSigningKey(deps, { maxAge: 100 })).toEqual({ rotated: true, kid: 'k2', removed: [] });
    const old = keys.keys.get('k1');
    expect(old?.retiredAt).toEqual(new Date('2030-01-01T00:01:40Z'));
    expect(old?.removeAfter).toEqual(new Date('2030-01-01T00:18:20Z'));
    expect(activeKey(await keys.list())?.kid).toBe('k2');
  });

  it('when the command forces a rotation, then it happens whatever the age, and long-retired keys go', async () => {
    const { deps, keys, advance } = setup();
    await rotateSigningKey(deps);
    await rotateSigningKey(deps);
    expect([...keys.keys.keys()]).toEqual(['k1', 'k2']);
    advance(1000);
    await rotateSigningKey(deps);
    expect([...keys.keys.keys()]).toEqual(['k2', 'k3']);
  });

  it('when the old key is compromised, then it leaves the JWKS at once, and so does a key retired earlier', async () => {
    const { deps, keys, advance } = setup();
    await rotateSigningKey(deps);
    await rotateSigningKey(deps);
    advance(10);
    expect(await rotateSigningKey(deps, { compromised: true })).toEqual({
      rotated: true,
      kid: 'k3',
      removed: ['k1', 'k2'],
    });
    const left = await keys.list();
    expect(left.map((k) => k.kid)).toEqual(['k3']);
    expect(publishedKeys(left, new Date('2030-01-01T00:00:10Z')).map((k) => k.kid)).toEqual(['k3']);
  });

  it('when start-up checks the age and the rotation is for a compromise, then it rotates whatever the age', async () => {
    const { deps, keys } = setup();
    await rotateSigningKey(deps, { maxAge: 100 });
    expect(await rotateSigningKey(deps, { maxAge: 100, compromised: true })).toMatchObject({
      rotated: true,
      kid: 'k2',
    });
    expect([...keys.keys.keys()]).toEqual(['k2']);
  });
});
