import type { JWK } from 'jose';

/**
 * An Ed25519 key pair that signs access tokens. The newest unretired key signs; a retired key
 * stays published in the JWKS until `removeAfter`, by which time every token it signed has
 * expired, so a rotation never invalidates a token in flight.
 */
export interface SigningKey {
  kid: string;
  alg: 'EdDSA';
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
  removeAfter: Date | null;
}

export interface SigningKeyRepository {
  list(): Promise<SigningKey[]>;
  insert(key: SigningKey): Promise<void>;
  /** Retires every other unretired key created no later than `kid`'s key. */
  retireOthers(kid: string, createdAt: Date, retiredAt: Date, removeAfter: Date): Promise<void>;
  /** Deletes retired keys whose `removeAfter` has passed. */
  purge(now: Date): Promise<void>;
  /** Deletes every other key created no later than `kid`'s key, retired or not. */
  removeOthers(kid: string, createdAt: Date): Promise<void>;
}

export const activeKey = (keys: SigningKey[]): SigningKey | undefined =>
  keys.filter((k) => k.retiredAt === null).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];

/** Keys whose public half belongs in the JWKS at `now`. */
export const publishedKeys = (keys: SigningKey[], now: Date): SigningKey[] =>
  keys.filter((k) => k.retiredAt === null || (k.removeAfter !== null && k.removeAfter > now));

/** `maxAgeSeconds` 0 means "never by age". */
export function isDue(key: SigningKey | undefined, now: Date, maxAgeSeconds: number): boolean {
  if (!key) return true;
  return maxAgeSeconds > 0 && now.getTime() - key.createdAt.getTime() >= maxAgeSeconds * 1000;
}
