import { type RevocationSnapshot, RevocationSnapshotSchema } from '@helpdesk/contracts';
import { fetchJsonWithRetry } from './fetch-json-with-retry.ts';
import type { RevocationList } from './revocation-list.ts';

export interface LoadRevocationsOptions {
  /** Identity's `INTERNAL_TOKEN`, sent as `x-internal-token`; leave out when identity has none. */
  token?: string | undefined;
  /** Per attempt; default 5 s. */
  timeoutMs?: number;
  /**
   * Identity may be starting at the same moment: network errors and 5xx are retried this many
   * times in all (default 5). A 4xx or a malformed body fails at once, since retrying cannot fix
   * a wrong token or URL.
   */
  attempts?: number;
  /** Wait before the n-th retry: n × this (default 500 ms). */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

/** Applies every entry of a snapshot; entries already expired are dropped by the list itself. */
export function applyRevocationSnapshot(list: RevocationList, snapshot: RevocationSnapshot): number {
  for (const e of snapshot.entries) {
    const exp = Date.parse(e.expiresAt);
    if (e.kind === 'session') list.revokeSession(e.sid, exp);
    else if (e.kind === 'token') list.revokeToken(e.jti, exp);
    else list.revokeSubject(e.sub, Date.parse(e.notBefore), exp);
  }
  return snapshot.entries.length;
}

/**
 * Fills `list` from identity's `GET /internal/revocations` (`url` is that endpoint), so a process
 * that starts after a logout or a refresh-token reuse still refuses the revoked tokens: events
 * reach only the queues that exist when they are published.
 *
 * Call it at start-up in this order:
 * 1. bind the `session.revoked` consumer (its queue exists from then on and catches everything
 *    published later);
 * 2. `await loadRevocations(...)`: everything persisted before the read is in the snapshot;
 * 3. only then serve requests and report ready.
 * In any other order a revocation made between the snapshot and the binding is lost until the
 * token expires. Applying a revocation twice changes nothing, so the overlap is harmless.
 *
 * Throws when the snapshot cannot be had; the caller should then refuse to start rather than
 * serve with a list that may miss logouts.
 */
export async function loadRevocations(
  list: RevocationList,
  url: string,
  opts: LoadRevocationsOptions = {},
): Promise<{ generatedAt: Date; entries: number }> {
  // Validated whole before anything is applied, so a bad body leaves the list as it was.
  const snapshot = await fetchJsonWithRetry(url, {
    ...opts,
    schema: RevocationSnapshotSchema,
    what: 'revocation snapshot',
  });
  const entries = applyRevocationSnapshot(list, snapshot);
  return { generatedAt: new Date(snapshot.generatedAt), entries };
}
