import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RevocationList } from './revocation-list.ts';
import {
  bearerToken,
  createTokenVerifier,
  JWKS_CACHE_MAX_AGE_MS,
  type TokenVerifierOptions,
} from './token-verifier.ts';

const ISS = 'helpdesk-identity';
const AUD = 'helpdesk';
type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let good: Keys;
let other: Keys;
let jwk: JWK;

beforeAll(async () => {
  good = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  other = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  jwk = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
});

function sign(
  opts: {
    key?: Keys;
    claims?: Record<string, unknown>;
    iss?: string;
    aud?: string;
    exp?: string | number;
    iat?: number;
  } = {},
) {
  return new SignJWT({ org: 'default', role: 'agent', sid: 's1', ...opts.claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer(opts.iss ?? ISS)
    .setAudience(opts.aud ?? AUD)
    .setSubject('u1')
    .setJti(crypto.randomUUID())
    .setIssuedAt(opts.iat)
    .setExpirationTime(opts.exp ?? '15m')
    .sign((opts.key ?? good).privateKey);
}

function verifier(revocations = new RevocationList(), over: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({
    jwks: createLocalJWKSet({ keys: [jwk] }),
    issuer: ISS,
    audience: AUD,
    revocations,
    ...over,
  });
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('createTokenVerifier', () => {
  it('when a token is signed by the identity key, then it yields the principal', async () => {
    const p = await verifier().verify(await sign());
    expect(p).toMatchObject({ sub: 'u1', org: 'default', role: 'agent', sid: 's1' });
  });

  it.each([
    ['signed with another key', () => sign({ key: other })],
    ['with the wrong audience', () => sign({ aud: 'someone-else' })],
    ['with the wrong issuer', () => sign({ iss: 'evil' })],
    ['with an unknown role', () => sign({ claims: { role: 'root' } })],
    [
      'unsigned (alg none)',
      async () =>
        new UnsecuredJWT({ org: 'default', role: 'admin' })
          .setIssuer(ISS)
          .setAudience(AUD)
          .setSubject('u1')
          .setJti('j')
          .setIssuedAt()
          .setExpirationTime('15m')
          .encode(),
    ],
  ])('when a token is %s, then it is refused', async (_name, make) => {
    await expect(verifier().verify(await make())).rejects.toMatchObject({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
  });

  it('when a token is expired, then it is refused as expired', async () => {
    const t = await sign({ exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(verifier().verify(t)).rejects.toMatchObject({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
  });

  it('when a cached token is revoked afterwards, then the next verification refuses it', async () => {
    const revocations = new RevocationList();
    const v = verifier(revocations);
    const t = await sign();
    const p = await v.verify(t);
    revocations.revokeToken(p.jti, Date.now() + 60_000);
    await expect(v.verify(t)).rejects.toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
  });

  it('when a cached token expires, then the cache does not keep it alive', async () => {
    let now = Date.now();
    const v = createTokenVerifier({
      jwks: createLocalJWKSet({ keys: [jwk] }),
      issuer: ISS,
      audience: AUD,
      revocations: new RevocationList(),
      now: () => now,
    });
    const t = await sign({ exp: '1m' });
    await v.verify(t);
    now += 61_000;
    await expect(v.verify(t)).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
  });
});

describe('createTokenVerifier: lifetime bound', () => {
  it('when a token claims a longer lifetime than the default hour, then it is refused', async () => {
    await expect(verifier().verify(await sign({ exp: '61m' }))).rejects.toMatchObject({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
    await expect(verifier().verify(await sign({ exp: '60m' }))).resolves.toMatchObject({ sub: 'u1' });
  });

  it('when maxTokenAgeSec is the issuer TTL plus skew, then a token living longer than that is refused', async () => {
    const v = verifier(new RevocationList(), { maxTokenAgeSec: 900 + 60 });
    await expect(v.verify(await sign({ exp: '15m' }))).resolves.toMatchObject({ sub: 'u1' });
    await expect(v.verify(await sign({ exp: '30m' }))).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('when a token is dated in the future to stretch its life, then it is refused', async () => {
    const iat = nowSec() + 86_400;
    const t = await sign({ iat, exp: iat + 900 });
    await expect(verifier().verify(t)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });
});

describe('createTokenVerifier: keys leaving the JWKS', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when a remembered token is due for its re-check and its key is gone, then it is refused', async () => {
    const published = new Map<string, JWK>([['k1', jwk]]);
    // A key getter over a set we can shrink, as identity's own key store does after a rotation.
    const getKey: JWTVerifyGetKey = (header, token) => {
      const keys = [...published.values()].filter((k) => k.kid === header.kid);
      if (keys.length === 0) throw new errors.JWKSNoMatchingKey();
      return createLocalJWKSet({ keys })(header, token);
    };
    let now = Date.now();
    const v = verifier(new RevocationList(), { jwks: getKey, cacheTtlMs: 60_000, now: () => now });
    const t = await sign();
    await v.verify(t);
    published.delete('k1');

    now += 59_000;
    // Still within the cache TTL: the hit skips the key check.
    await expect(v.verify(t)).resolves.toMatchObject({ sub: 'u1' });
    now += 1_000;
    await expect(v.verify(t)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    // And it stays refused rather than coming back from the cache.
    await expect(v.verify(t)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('when a key is removed from the remote JWKS, then its tokens stop verifying once the JWKS cache is stale', async () => {
    let keys: JWK[] = [jwk];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      // jose times its JWKS cache with Date.now, so only the clock is faked; sockets stay real.
      vi.useFakeTimers({ toFake: ['Date'] });
      const v = verifier(new RevocationList(), {
        jwks: new URL(`http://127.0.0.1:${port}/jwks.json`),
        // Longer than the JWKS cache age, so only the JWKS refetch can refuse the token.
        cacheTtlMs: 60 * 60_000,
      });
      await v.verify(await sign());
      keys = [];

      vi.advanceTimersByTime(JWKS_CACHE_MAX_AGE_MS - 1_000);
      await expect(v.verify(await sign())).resolves.toMatchObject({ sub: 'u1' });
      vi.advanceTimersByTime(1_000);
      await expect(v.verify(await sign())).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});

describe('bearerToken', () => {
  it('reads a Bearer token and ignores other schemes', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});
