import { createTokenVerifier, type Logger, type RevocationList, type TokenVerifier } from '@helpdesk/kit';
import { makeEnvelope } from '@helpdesk/messaging';
import type { Config, StoreConfig } from './config.ts';
import type { IdentityDeps } from './domain/ports.ts';
import { createTokenIssuer } from './infra/access-token-issuer.ts';
import { createPasswordHasher } from './infra/argon2-password-hasher.ts';
import { createKeyStore, generateSigningKey, type KeyStore } from './infra/key-store.ts';
import type { Store } from './infra/store.ts';
import { createAdmin } from './use-cases/create-admin.ts';
import { ensureDefaultOrg } from './use-cases/ensure-default-org.ts';
import { restoreRevocations } from './use-cases/restore-revocations.ts';
import { type RotateDeps, rotateSigningKey } from './use-cases/rotate-signing-key.ts';

/*
 * Builds the use cases' dependencies from a store, for main.ts, the commands and the tests,
 * so all three run the same wiring.
 */

const SKEW_SECONDS = 60;

export function rotationDeps(
  config: StoreConfig,
  store: Store,
  clock: () => Date = () => new Date(),
): RotateDeps {
  return {
    keys: store.signingKeys,
    generate: generateSigningKey,
    clock,
    // Until then a token signed just before retirement may be alive, or a replica may still sign with it.
    retention: config.ACCESS_TOKEN_TTL + config.SIGNING_KEY_RELOAD + SKEW_SECONDS,
  };
}

/**
 * Identity's own check of access tokens, against its key store rather than its published JWKS.
 * No token it issues claims a longer life than ACCESS_TOKEN_TTL, so a longer one is refused.
 */
export function createIdentityVerifier(
  config: StoreConfig,
  keys: KeyStore,
  revocations: RevocationList,
): TokenVerifier {
  return createTokenVerifier({
    jwks: keys.getKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    revocations,
    maxTokenAgeSec: config.ACCESS_TOKEN_TTL + SKEW_SECONDS,
  });
}

export function wireIdentity(opts: {
  config: Config;
  store: Store;
  revocations: RevocationList;
  kick: () => void;
  logger: Logger;
  clock?: () => Date;
}): { deps: IdentityDeps; keys: KeyStore } {
  const { config, store } = opts;
  const clock = opts.clock ?? (() => new Date());
  const keys = createKeyStore({
    repo: store.signingKeys,
    clock,
    reloadSeconds: config.SIGNING_KEY_RELOAD,
    logger: opts.logger,
  });
  const deps: IdentityDeps = {
    users: store.users,
    orgs: store.orgs,
    throttle: store.throttle,
    passwords: createPasswordHasher(),
    tokens: createTokenIssuer({
      keys,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL,
      clock,
    }),
    revocations: opts.revocations,
    events: { envelope: makeEnvelope, kick: opts.kick },
    clock,
    settings: {
      accessTtl: config.ACCESS_TOKEN_TTL,
      refreshTtl: config.REFRESH_TOKEN_TTL,
      maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
      throttleWindow: config.LOGIN_THROTTLE_WINDOW,
    },
  };
  return { deps, keys };
}

/**
 * Start-up work every replica does before serving; each step is safe to repeat. The
 * `session.revoked` consumer must be bound before this runs (see `loadRevocations` in the kit).
 */
export async function prepareIdentity(opts: {
  config: Config;
  store: Store;
  deps: IdentityDeps;
  keys: KeyStore;
  logger: Logger;
}): Promise<void> {
  const { config, deps, logger } = opts;
  await ensureDefaultOrg(deps);
  const rotation = await rotateSigningKey(rotationDeps(config, opts.store, deps.clock), {
    maxAge: config.SIGNING_KEY_MAX_AGE,
  });
  if (rotation.rotated) logger.info({ kid: rotation.kid }, 'new signing key in use');
  await opts.keys.load();
  const restored = await restoreRevocations(deps);
  if (restored > 0) logger.info({ entries: restored }, 'revocations restored');

  const { BOOTSTRAP_ADMIN_USERNAME: username, BOOTSTRAP_ADMIN_EMAIL: email } = config;
  if (username && email && config.BOOTSTRAP_ADMIN_PASSWORD) {
    const result = await createAdmin(
      deps,
      { username, email, password: config.BOOTSTRAP_ADMIN_PASSWORD, org: config.BOOTSTRAP_ADMIN_ORG },
      { ifMissing: true },
    );
    logger.info(
      { userId: result.user.id, orgId: result.user.orgId, created: result.created },
      result.created ? 'bootstrap admin created' : 'bootstrap admin exists',
    );
  }
}
