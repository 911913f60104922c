import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadOrigin, type FakeUpstream, startFakeUpstream } from '../../test/fakes.ts';
import { cachedJwksProbe, jwksReachable } from './jwks-probe.ts';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream('identity');
  fake.handle = (req, res) => {
    const answers: Record<string, [number, string]> = {
      '/good': [200, '{"keys":[{"kty":"OKP"}]}'],
      '/empty': [200, '{"keys":[]}'],
      '/broken': [500, '{}'],
    };
    const [status, body] = answers[req.url] ?? [404, ''];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    return true;
  };
});
afterAll(() => fake.close());

describe('jwksReachable (for /readyz)', () => {
  it('passes when identity serves at least one key', async () => {
    await expect(jwksReachable(new URL(`${fake.url}/good`))).resolves.toBeUndefined();
  });

  it('fails on an error status, an empty key set, or no answer', async () => {
    await expect(jwksReachable(new URL(`${fake.url}/broken`))).rejects.toThrow(/500/);
    await expect(jwksReachable(new URL(`${fake.url}/empty`))).rejects.toThrow(/no keys/);
    await expect(jwksReachable(new URL(`${await deadOrigin()}/good`))).rejects.toThrow();
  });
});

describe('cachedJwksProbe', () => {
  it('asks identity at most once per interval and keeps a failure as long as a pass', async () => {
    let t = 0;
    let status = 200;
    const counting = await startFakeUpstream('identity');
    counting.handle = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"keys":[{"kty":"OKP"}]}');
      return true;
    };
    try {
      const probe = cachedJwksProbe(new URL(`${counting.url}/jwks`), { ttlMs: 5_000, now: () => t });
      await Promise.all([probe(), probe()]);
      await probe();
      expect(counting.seen.length).toBe(1);
      status = 500;
      t = 4_999;
      await expect(probe()).resolves.toBeUndefined();
      t = 5_000;
      await expect(probe()).rejects.toThrow(/500/);
      status = 200;
      t = 9_999;
      await expect(probe()).rejects.toThrow(/500/);
      expect(counting.seen.length).toBe(2);
      t = 10_000;
      await expect(probe()).resolves.toBeUndefined();
      expect(counting.seen.length).toBe(3);
    } finally {
      await counting.close();
    }
  });
});
