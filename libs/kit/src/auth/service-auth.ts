import type { Broker } from '@helpdesk/messaging';
import type { Logger } from '../logger.ts';
import { consumeSessionRevoked } from './consume-revocations.ts';
import { loadRevocations } from './load-revocations.ts';
import { RevocationList } from './revocation-list.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export interface ServiceAuthConfig {
  IDENTITY_URL: string;
  JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  INTERNAL_TOKEN?: string | undefined;
}

/**
 * A service's own check of access tokens (defence in depth behind the gateway): identity's JWKS,
 * and the revocations it learns from `session.revoked` plus identity's snapshot, in the order
 * `loadRevocations` requires (consumer bound first, snapshot read after, reread on resubscribe).
 * `loadSnapshot: false` skips identity's snapshot (tests without identity); `verifier` replaces
 * the JWKS check (tests with their own signing key).
 */
export async function startServiceAuth(opts: {
  broker: Pick<Broker, 'consume'>;
  service: string;
  config: ServiceAuthConfig;
  logger: Logger;
  loadSnapshot?: boolean;
  verifier?: TokenVerifier;
}) {
  const { config, logger } = opts;
  const revocations = new RevocationList();
  const snapshotUrl = new URL('/internal/revocations', config.IDENTITY_URL).href;
  const loadSnapshot = opts.loadSnapshot ?? true;
  const consumer = await consumeSessionRevoked(opts.broker, revocations, opts.service, {
    onResubscribed: () => {
      if (!loadSnapshot) return;
      loadRevocations(revocations, snapshotUrl, { token: config.INTERNAL_TOKEN }).catch((err) =>
        logger.error({ err }, 'cannot reload revocations after a broker reconnect'),
      );
    },
  });
  try {
    if (loadSnapshot) await loadRevocations(revocations, snapshotUrl, { token: config.INTERNAL_TOKEN });
  } catch (err) {
    await consumer.cancel();
    throw err;
  }
  const verifier =
    opts.verifier ??
    createTokenVerifier({
      jwks: new URL(config.JWKS_URL),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      revocations,
    });
  return { revocations, verifier, consumer };
}
