import { type UserSnapshot, type UsersSnapshotPage, UsersSnapshotPageSchema } from '@helpdesk/contracts';
import { fetchJsonWithRetry } from '@helpdesk/kit';

export interface KnownUsersSink {
  /** Stores the user as of `sequence` unless a later state is stored already. */
  record(user: UserSnapshot, sequence: number): Promise<boolean>;
}

export interface SyncKnownUsersOptions {
  /** Identity's `INTERNAL_TOKEN`, sent as `x-internal-token`; leave out when identity has none. */
  token?: string | undefined;
  /** Users per request; default 500. */
  pageSize?: number;
  /**
   * Identity may be starting at the same moment: network errors and 5xx are retried, this many
   * attempts per page in all (default 5). A 4xx or a malformed body fails at once.
   */
  attempts?: number;
  /** Wait before the n-th retry: n × this (default 500 ms). */
  retryDelayMs?: number;
  /** Per request; default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * Copies every user from identity's `GET /internal/users` (`url` is that endpoint), page by page.
 * Events reach only the queues that exist when they are published, so users registered before
 * `tickets.users` first existed (the bootstrap admin of a fresh deployment) are known only this
 * way. Call it once the users consumer is bound (the order `loadRevocations` explains): whatever
 * changes after a page was read arrives as an event. Each entry carries the sequence of the
 * user's latest event, so entries and events go through the same newest-wins write and a stale
 * one of either kind changes nothing; loading twice is harmless.
 *
 * Throws when a page cannot be had; at start-up the caller should then refuse to start rather
 * than serve without the users it may need to assign.
 */
export async function syncKnownUsers(
  users: KnownUsersSink,
  url: string,
  opts: SyncKnownUsersOptions = {},
): Promise<{ users: number; updated: number; pages: number }> {
  let after: string | null = null;
  let total = 0;
  let updated = 0;
  let pages = 0;
  do {
    const page = await fetchPage(url, after, opts);
    pages += 1;
    const applied = await Promise.all(
      page.results.map(({ sequence, ...user }) => users.record(user, sequence)),
    );
    total += page.results.length;
    updated += applied.filter(Boolean).length;
    if (page.next !== null && page.next === after) {
      throw new Error(`users snapshot: ${url} returned the same page twice (after ${after})`);
    }
    after = page.next;
  } while (after !== null);
  return { users: total, updated, pages };
}

function fetchPage(
  url: string,
  after: string | null,
  opts: SyncKnownUsersOptions,
): Promise<UsersSnapshotPage> {
  const { pageSize, ...rest } = opts;
  // Validated whole before anything is recorded, so a bad page records nothing.
  return fetchJsonWithRetry(url, {
    ...rest,
    schema: UsersSnapshotPageSchema,
    what: 'users snapshot',
    query: { limit: String(pageSize ?? 500), ...(after !== null ? { after } : {}) },
  });
}
