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
 *
 * `compromised`: the older keys, including ones already retired, are deleted at once instead of
 * staying published for `retention`, so tokens they signed (or anyone holding them could sign)
 * stop verifying as soon as verifiers reload the keys, even though they have not expired.
 */
export async function rotateSigningKey(
  deps: RotateDeps,
  opts: { maxAge?: number; compromised?: boolean } = {},
): Promise<{ rotated: boolean; kid: string; removed: string[] }> {
  const now = deps.clock();
  const keys = await deps.keys.list();
  const current = activeKey(keys);
  if (current && opts.maxAge !== undefined && !opts.compromised && !isDue(current, now, opts.maxAge)) {
    return { rotated: false, kid: current.kid, removed: [] };
  }
  const fresh: SigningKey = {
    ...(await deps.generate()),
    createdAt: now,
    retiredAt: null,
    removeAfter: null,
  };
  await deps.keys.insert(fresh);
  if (opts.compromised) {
    await deps.keys.removeOthers(fresh.kid, now);
    const removed = keys.filter((k) => k.createdAt <= now).map((k) => k.kid);
    return { rotated: true, kid: fresh.kid, removed };
  }
  await deps.keys.retireOthers(fresh.kid, now, now, new Date(now.getTime() + deps.retention * 1000));
  await deps.keys.purge(now);
  return { rotated: true, kid: fresh.kid, removed: [] };
}
