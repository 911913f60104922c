import { createTokenVerifier, RevocationList } from '@helpdesk/kit';
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InMemorySigningKeys } from '../../test/fakes.ts';
import { rotateSigningKey } from '../use-cases/rotate-signing-key.ts';
import { createTokenIssuer } from './access-token-issuer.ts';
import { createKeyStore, generateSigningKey } from './key-store.ts';

const ISS = 'helpdesk-identity';
const AUD = 'helpdesk';
const claims = { sub: 'u1', org: 'acme', role: 'agent' as const, sid: 'session-1' };

async function setup() {
  const repo = new InMemorySigningKeys();
  const clock = { now: new Date() };
  const rotate = () =>
    rotateSigningKey({ keys: repo, generate: generateSigningKey, clock: () => clock.now, retention: 960 });
  await rotate();
  const keys = createKeyStore({
    repo,
    clock: () => clock.now,
    reloadSeconds: 60,
    logger: pino({ level: 'silent' }),
  });
  await keys.load();
  const issuer = createTokenIssuer({
    keys,
    issuer: ISS,
    audience: AUD,
    ttlSeconds: 900,
    clock: () => clock.now,
  });
  const revocations = new RevocationList();
  const verifier = createTokenVerifier({
    jwks: keys.getKey,
    issuer: ISS,
    audience: AUD,
    revocations,
    now: () => clock.now.getTime(),
  });
  return { repo, clock, rotate, keys, issuer, verifier, revocations };
}

/** Signs `claims` like identity would, but with a key of the caller's choosing. */
async function forge(kid: string, over: { aud?: string; iss?: string } = {}) {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return new SignJWT({ org: 'acme', role: 'admin', sid: 's' })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setIssuer(over.iss ?? ISS)
    .setAudience(over.aud ?? AUD)
    .setSubject('u1')
    .setJti('j1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('access tokens', () => {
  it('when identity issues a token, then the verifier accepts it with every claim', async () => {
    const s = await setup();
    const { token, jti } = await s.issuer.issue(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: s.keys.signer().kid });
    const p = await s.verifier.verify(token);
    expect(p).toMatchObject({ sub: 'u1', org: 'acme', role: 'agent', sid: 'session-1', jti });
    expect(p.exp - p.iat).toBe(900);
  });

  it('when the user was cut off in this very second, then the new token is dated after the cut-off', async () => {
    const s = await setup();
    s.clock.now = new Date('2030-01-01T10:00:00.300Z');
    const cut = new Date('2030-01-01T10:00:00.200Z');
    s.revocations.revokeSubject('u1', cut.getTime(), cut.getTime() + 900_000);
    const { token } = await s.issuer.issue(claims, cut);
    const p = await s.verifier.verify(token);
    expect(p.iat).toBe(Math.floor(cut.getTime() / 1000) + 1);
    const { token: undated } = await s.issuer.issue(claims);
    await expect(s.verifier.verify(undated)).rejects.toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
  });

  it('when a token is signed by another key, even under our kid, then it is refused', async () => {
    const s = await setup();
    await expect(s.verifier.verify(await forge(s.keys.signer().kid))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
    await expect(s.verifier.verify(await forge('unknown-kid'))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
  });

  it('when a token is unsigned (alg none) or HMAC-signed with the public key, then it is refused', async () => {
    const s = await setup();
    const none = new UnsecuredJWT({ org: 'acme', role: 'admin' })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('u1')
      .setJti('j')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await expect(s.verifier.verify(none)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    const publicX = (s.keys.jwks().keys[0]?.x as string) ?? '';
    const hmac = await new SignJWT({ org: 'acme', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: s.keys.signer().kid })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('u1')
      .setJti('j')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicX));
    await expect(s.verifier.verify(hmac)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('when a token has expired, then it is refused as expired', async () => {
    const s = await setup();
    const { token } = await s.issuer.issue(claims);
    s.clock.now = new Date(s.clock.now.getTime() + 906_000);
    await expect(s.verifier.verify(token)).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
  });

  it('when the audience or issuer is not ours, then the token is refused', async () => {
    const s = await setup();
    const other = createTokenIssuer({
      keys: s.keys,
      issuer: ISS,
      audience: 'elsewhere',
      ttlSeconds: 900,
      clock: () => s.clock.now,
    });
    await expect(s.verifier.verify((await other.issue(claims)).token)).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
    const stranger = createTokenIssuer({
      keys: s.keys,
      issuer: 'someone',
      audience: AUD,
      ttlSeconds: 900,
      clock: () => s.clock.now,
    });
    await expect(s.verifier.verify((await stranger.issue(claims)).token)).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
  });

  it('when the signing key rotates, then old tokens stay valid until the old key leaves the JWKS', async () => {
    const s = await setup();
    const oldKid = s.keys.signer().kid;
    const { token: old } = await s.issuer.issue(claims);
    await s.rotate();
    await s.keys.load();
    const { token: fresh } = await s.issuer.issue(claims);
    expect(decodeProtectedHeader(fresh).kid).not.toBe(oldKid);
    expect(s.keys.jwks().keys.map((k) => k.kid)).toContain(oldKid);
    await expect(s.verifier.verify(old)).resolves.toMatchObject({ sub: 'u1' });
    await expect(s.verifier.verify(fresh)).resolves.toMatchObject({ sub: 'u1' });

    s.clock.now = new Date(s.clock.now.getTime() + 960_000);
    await s.keys.load();
    expect(s.keys.jwks().keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(s.keys.jwks().keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('when another replica rotated, then its tokens verify here after one reload on the unknown kid', async () => {
    const s = await setup();
    const other = createKeyStore({
      repo: s.repo,
      clock: () => s.clock.now,
      reloadSeconds: 60,
      logger: pino({ level: 'silent' }),
    });
    await s.rotate();
    await other.load();
    const theirs = createTokenIssuer({
      keys: other,
      issuer: ISS,
      audience: AUD,
      ttlSeconds: 900,
      clock: () => s.clock.now,
    });
    await expect(s.verifier.verify((await theirs.issue(claims)).token)).resolves.toMatchObject({ sub: 'u1' });
  });

  it('when the private key is exported to the JWKS, then it is never there', async () => {
    const s = await setup();
    const jwk = s.keys.jwks().keys[0];
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    expect(await exportJWK(pair.privateKey)).toHaveProperty('d');
  });
});
