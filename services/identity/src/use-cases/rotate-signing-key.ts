import { activeKey, isDue, type SigningKey, type SigningKeyRepository } from '../domain/signing-key.ts';

export interface RotateDeps {
  keys: SigningKeyRepository;
  generate: () => Promise<Pick<SigningKey, 'kid' | 'alg' | 'publicJwk' | 'privateJwk'>>;
  clock: () => Date;
  /** Seconds a retired key must stay verifiable: access-token lifetime + replicas' reload + skew. */
  retention: number;
}

/**
 * Puts a new signing key in charge. `maxAge` set: only when there is no key or the active one
 * is at least that old (start-up); unset: always (the `rotate-signing-key` command). Replicas
 * rotating at once are harmless: the newest key wins and the others retire like any old key.
 */
export async function rotateSigningKey(
  deps: RotateDeps,
  opts: { maxAge?: number } = {},
): Promise<{ rotated: boolean; kid: string }> {
  const now = deps.clock();
  const current = activeKey(await deps.keys.list());
  if (current && opts.maxAge !== undefined && !isDue(current, now, opts.maxAge)) {
    return { rotated: false, kid: current.kid };
  }
  const fresh: SigningKey = {
    ...(await deps.generate()),
    createdAt: now,
    retiredAt: null,
    removeAfter: null,
  };
  await deps.keys.insert(fresh);
  await deps.keys.retireOthers(fresh.kid, now, now, new Date(now.getTime() + deps.retention * 1000));
  await deps.keys.purge(now);
  return { rotated: true, kid: fresh.kid };
}
