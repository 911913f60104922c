import { RoleSchema } from '@helpdesk/contracts';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors.ts';
import type { Principal } from './principal.ts';
import type { RevocationList } from './revocation-list.ts';

/** Only asymmetric algorithms we sign with; `none` and HMAC are never accepted. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;

/**
 * How long a fetched remote JWKS is used before it is fetched again, so a key removed from it
 * (rotated out after a leak) stops verifying within this time.
 */
export const JWKS_CACHE_MAX_AGE_MS = 5 * 60_000;

export interface TokenVerifierOptions {
  /** Identity's JWKS: a URL (fetched and cached by jose, refetched on an unknown `kid`) or a key getter. */
  jwks: URL | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  revocations: RevocationList;
  /** How many verified tokens to remember; verification costs more than the rest of a request. */
  cacheSize?: number;
  /**
   * A remembered token has its signature checked again after this long (default 60 s), so a
   * token whose key has left the JWKS stops working even if it is used all the time.
   */
  cacheTtlMs?: number;
  /**
   * Longest lifetime (`exp - iat`, seconds) a token may claim; longer ones are refused (default
   * 3600). Set it to the issuer's access-token lifetime plus a little skew: it bounds how long a
   * token signed with a key that was later withdrawn can be used.
   */
  maxTokenAgeSec?: number;
  clockToleranceSec?: number;
  now?: () => number;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  readonly revocations: RevocationList;
}

const invalid = () => new UnauthorizedError('AUTH_TOKEN_INVALID', 'The access token is not valid.');

/** A remembered verification: the principal and when its signature must be checked again (ms). */
interface CacheEntry {
  principal: Principal;
  recheckAt: number;
}

/**
 * Verifies access tokens with pinned algorithms and required `iss`, `aud`, `exp`, `iat`, `sub`,
 * `jti`, and a bounded lifetime. A bounded cache of verified tokens skips the signature check for
 * tokens seen within `cacheTtlMs`; every hit still checks expiry and the revocation list, so a
 * revoked token stops at once.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys =
    opts.jwks instanceof URL
      ? createRemoteJWKSet(opts.jwks, { cooldownDuration: 5_000, cacheMaxAge: JWKS_CACHE_MAX_AGE_MS })
      : opts.jwks;
  const cacheSize = opts.cacheSize ?? 10_000;
  const cacheTtlMs = opts.cacheTtlMs ?? 60_000;
  const maxTokenAgeSec = opts.maxTokenAgeSec ?? 3600;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  const check = (p: Principal, at: number): Principal => {
    if (p.exp * 1000 <= at)
      throw new UnauthorizedError('AUTH_TOKEN_EXPIRED', 'The access token has expired.');
    if (opts.revocations.isRevoked(p)) {
      throw new UnauthorizedError('AUTH_TOKEN_REVOKED', 'The access token has been revoked.');
    }
    return p;
  };

  return {
    revocations: opts.revocations,
    async verify(token) {
      const at = now();
      const hit = cache.get(token);
      if (hit !== undefined) {
        if (at < hit.recheckAt) return check(hit.principal, at);
        // Due for a new signature check; a token that fails it must not stay remembered.
        cache.delete(token);
      }
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: [...ACCESS_TOKEN_ALGORITHMS],
          issuer: opts.issuer,
          audience: opts.audience,
          requiredClaims: ['exp', 'iat', 'sub', 'jti', 'org', 'role'],
          clockTolerance: opts.clockToleranceSec ?? 5,
          // Refuses an `iat` in the future, which would stretch the lifetime bound below.
          maxTokenAge: maxTokenAgeSec,
          currentDate: new Date(at),
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
      // jose has checked that both are numbers.
      if ((payload.exp as number) - (payload.iat as number) > maxTokenAgeSec) throw invalid();
      const principal: Principal = {
        sub: payload.sub,
        org: payload.org,
        role: role.data,
        jti: String(payload.jti),
        sid: typeof payload.sid === 'string' ? payload.sid : undefined,
        iat: Number(payload.iat),
        exp: Number(payload.exp),
      };
      check(principal, at);
      if (cache.size >= cacheSize) {
        // Map keeps insertion order: drop the oldest entry.
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(token, { principal, recheckAt: at + cacheTtlMs });
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
