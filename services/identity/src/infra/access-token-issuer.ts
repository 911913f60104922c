import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenIssuer } from '../domain/ports.ts';
import type { KeyStore } from './key-store.ts';

/**
 * Access tokens: EdDSA JWTs with `kid`, `iss`, `aud`, `sub`, `org`, `role`, `jti`, `sid`, `iat`,
 * `exp`. Every service verifies them against the JWKS without calling back.
 */
export function createTokenIssuer(opts: {
  keys: KeyStore;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: () => Date;
}): TokenIssuer {
  return {
    async issue(claims, validFrom) {
      const { kid, key } = opts.keys.signer();
      // Dated after a cut-off made in this very second, else the cut-off would catch it too.
      const floor = validFrom ? Math.floor(validFrom.getTime() / 1000) + 1 : 0;
      const iat = Math.max(Math.floor(opts.clock().getTime() / 1000), floor);
      const jti = randomUUID();
      const token = await new SignJWT({ org: claims.org, role: claims.role, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setSubject(claims.sub)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(iat + opts.ttlSeconds)
        .sign(key);
      return { token, jti, expiresIn: opts.ttlSeconds };
    },
  };
}
