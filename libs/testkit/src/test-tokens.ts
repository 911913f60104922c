import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export const TEST_ISSUER = 'helpdesk-identity';
export const TEST_AUDIENCE = 'helpdesk';

/** A signing key of the tests' own, standing in for identity's: its tokens are real EdDSA JWTs. */
const keys = await generateKeyPair('EdDSA', { extractable: true });
const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'EdDSA' };

/** An access token as identity would issue it (`iss`, `aud`, `sub`, `org`, `role`, `jti`, 15 min). */
export function testToken(
  sub: string,
  org: string,
  role: string,
  jti: string = crypto.randomUUID(),
): Promise<string> {
  return new SignJWT({ org, role, sid: `s-${sub}` })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
    .setSubject(sub)
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(keys.privateKey);
}

/** The key that checks `testToken`'s tokens, for a service's token verifier (`jwks`). */
export const testTokenKey = () => importJWK(jwk, 'EdDSA');
