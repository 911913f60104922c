import {
  type CryptoKey,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from 'pino';
import {
  activeKey,
  publishedKeys,
  type SigningKey,
  type SigningKeyRepository,
} from '../domain/signing-key.ts';

export interface KeyStore {
  load(): Promise<void>;
  /** The key new tokens are signed with. */
  signer(): { kid: string; key: CryptoKey };
  /** For the token verifier: the published key named by the token's `kid`. */
  getKey: JWTVerifyGetKey;
  jwks(): { keys: JWK[] };
  /** Rereads the keys periodically, to follow another replica's rotation. */
  start(): void;
  stop(): void;
}

export async function generateSigningKey(): Promise<
  Pick<SigningKey, 'kid' | 'alg' | 'publicJwk' | 'privateJwk'>
> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg: 'EdDSA',
    publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
    privateJwk: await exportJWK(pair.privateKey),
  };
}

/** After a miss on an unknown `kid`, wait this long before rereading, so garbage cannot hammer the DB. */
const MISS_COOLDOWN_MS = 5_000;

export function createKeyStore(opts: {
  repo: SigningKeyRepository;
  clock: () => Date;
  reloadSeconds: number;
  logger: Logger;
}): KeyStore {
  let signing: { kid: string; key: CryptoKey } | undefined;
  let verifying = new Map<string, CryptoKey>();
  let published: JWK[] = [];
  let lastMiss = 0;
  let timer: NodeJS.Timeout | undefined;

  async function load(): Promise<void> {
    const keys = await opts.repo.list();
    const now = opts.clock();
    const visible = publishedKeys(keys, now);
    const next = new Map<string, CryptoKey>();
    for (const k of visible) next.set(k.kid, (await importJWK(k.publicJwk, 'EdDSA')) as CryptoKey);
    const active = activeKey(keys);
    if (active)
      signing = { kid: active.kid, key: (await importJWK(active.privateJwk, 'EdDSA')) as CryptoKey };
    verifying = next;
    published = visible.map((k) => k.publicJwk);
  }

  return {
    load,
    signer() {
      if (!signing) throw new Error('no signing key loaded');
      return signing;
    },
    async getKey(header) {
      const kid = header.kid;
      if (kid === undefined) throw new errors.JWKSNoMatchingKey();
      let key = verifying.get(kid);
      const now = Date.now();
      if (!key && now - lastMiss > MISS_COOLDOWN_MS) {
        lastMiss = now;
        await load();
        key = verifying.get(kid);
      }
      if (!key) throw new errors.JWKSNoMatchingKey();
      return key;
    },
    jwks: () => ({ keys: published }),
    start() {
      timer ??= setInterval(() => {
        load().catch((err) => opts.logger.warn({ err }, 'cannot reload signing keys'));
      }, opts.reloadSeconds * 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
