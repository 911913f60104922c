import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { RevocationList } from './revocation-list.ts';
import { bearerToken, createTokenVerifier } from './token-verifier.ts';

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
  } = {},
) {
  return new SignJWT({ org: 'default', role: 'agent', sid: 's1', ...opts.claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer(opts.iss ?? ISS)
    .setAudience(opts.aud ?? AUD)
    .setSubject('u1')
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '15m')
    .sign((opts.key ?? good).privateKey);
}

function verifier(revocations = new RevocationList()) {
  return createTokenVerifier({
    jwks: createLocalJWKSet({ keys: [jwk] }),
    issuer: ISS,
    audience: AUD,
    revocations,
  });
}

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

describe('bearerToken', () => {
  it('reads a Bearer token and ignores other schemes', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});
