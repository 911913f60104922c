import { RoleSchema } from '@helpdesk/contracts';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors.ts';
import type { Principal } from './principal.ts';
import type { RevocationList } from './revocation-list.ts';

/** Only asymmetric algorithms we sign with; `none` and HMAC are never accepted. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface TokenVerifierOptions {
  /** Identity's JWKS: a URL (fetched and cached by jose, refetched on an unknown `kid`) or a key getter. */
  jwks: URL | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  revocations: RevocationList;
  /** How many verified tokens to remember; verification costs more than the rest of a request. */
  cacheSize?: number;
  clockToleranceSec?: number;
  now?: () => number;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  readonly revocations: RevocationList;
}

const invalid = () => new UnauthorizedError('AUTH_TOKEN_INVALID', 'The access token is not valid.');

/**
 * Verifies access tokens with pinned algorithms and required `iss`, `aud`, `exp`, `sub`, `jti`.
 * A bounded cache of verified tokens skips the signature check for tokens seen before; every
 * hit still checks expiry and the revocation list, so a revoked token stops at once.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys =
    opts.jwks instanceof URL ? createRemoteJWKSet(opts.jwks, { cooldownDuration: 5_000 }) : opts.jwks;
  const cacheSize = opts.cacheSize ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Principal>();

  const check = (p: Principal): Principal => {
    if (p.exp * 1000 <= now())
      throw new UnauthorizedError('AUTH_TOKEN_EXPIRED', 'The access token has expired.');
    if (opts.revocations.isRevoked(p)) {
      throw new UnauthorizedError('AUTH_TOKEN_REVOKED', 'The access token has been revoked.');
    }
    return p;
  };

  return {
    revocations: opts.revocations,
    async verify(token) {
      const hit = cache.get(token);
      if (hit) return check(hit);
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: [...ACCESS_TOKEN_ALGORITHMS],
          issuer: opts.issuer,
          audience: opts.audience,
          requiredClaims: ['exp', 'iat', 'sub', 'jti', 'org', 'role'],
          clockTolerance: opts.clockToleranceSec ?? 5,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') {
          throw new UnauthorizedError('AUTH_TOKEN_EXPIRED', 'The access token has expired.');
        }
        throw invalid();
      }
      const role = RoleSchema.safeParse(payload.role);
      if (!role.success || typeof payload.org !== 'string' || typeof payload.sub !== 'string')
        throw invalid();
      const principal: Principal = {
        sub: payload.sub,
        org: payload.org,
        role: role.data,
        jti: String(payload.jti),
        sid: typeof payload.sid === 'string' ? payload.sid : undefined,
        iat: Number(payload.iat),
        exp: Number(payload.exp),
      };
      check(principal);
      if (cache.size >= cacheSize) {
        // Map keeps insertion order: drop the oldest entry.
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(token, principal);
      return principal;
    },
  };
}

/** `Authorization: Bearer <token>` → token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
  return m?.[1];
}
