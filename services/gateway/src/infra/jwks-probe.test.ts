import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadOrigin, type FakeUpstream, startFakeUpstream } from '../../test/fakes.ts';
import { jwksReachable } from './jwks-probe.ts';

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
