import type { UserSnapshot, UsersSnapshotEntry } from '@helpdesk/contracts';
import { INTERNAL_TOKEN_HEADER } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { type KnownUsersSink, syncKnownUsers } from './sync-known-users.ts';

const URL_ = 'http://identity.test/internal/users';

const entry = (id: string, sequence: number, over: Partial<UserSnapshot> = {}): UsersSnapshotEntry => ({
  id,
  orgId: 'org-a',
  username: `name-${id}`,
  email: `${id}@example.com`,
  firstName: 'F',
  lastName: 'L',
  role: 'agent',
  active: true,
  sequence,
  ...over,
});

/** Newest-wins like the real directory. */
function sink(): KnownUsersSink & { stored: Map<string, { user: UserSnapshot; sequence: number }> } {
  const stored = new Map<string, { user: UserSnapshot; sequence: number }>();
  return {
    stored,
    async record(user, sequence) {
      const current = stored.get(user.id);
      if (current && current.sequence >= sequence) return false;
      stored.set(user.id, { user, sequence });
      return true;
    },
  };
}

type Reply = { status: number; body: unknown } | Error;

/** Answers `replies` in turn (the last repeats) and records each request. */
function fakeFetch(...replies: Reply[]) {
  const requests: { url: URL; headers: Record<string, string> }[] = [];
  const fn = (async (input: URL | string, init?: RequestInit) => {
    requests.push({ url: new URL(String(input)), headers: (init?.headers ?? {}) as Record<string, string> });
    const reply = replies[Math.min(requests.length, replies.length) - 1] as Reply;
    if (reply instanceof Error) throw reply;
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(body, { status: reply.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fn, requests };
}

const page = (results: UsersSnapshotEntry[], next: string | null) => ({
  status: 200,
  body: { results, next },
});

describe('syncKnownUsers', () => {
  it('when identity has two pages, then it asks for each in turn and records every user with its sequence', async () => {
    const { fn, requests } = fakeFetch(
      page([entry('u1', 3), entry('u2', 1)], 'u2'),
      page([entry('u3', 7)], null),
    );
    const users = sink();

    const result = await syncKnownUsers(users, URL_, { fetch: fn, pageSize: 2, token: 'shared-secret' });

    expect(result).toEqual({ users: 3, updated: 3, pages: 2 });
    expect(requests.map((r) => r.url.search)).toEqual(['?limit=2', '?limit=2&after=u2']);
    expect(requests.every((r) => r.headers[INTERNAL_TOKEN_HEADER] === 'shared-secret')).toBe(true);
    expect([...users.stored.entries()].map(([id, s]) => [id, s.sequence])).toEqual([
      ['u1', 3],
      ['u2', 1],
      ['u3', 7],
    ]);
    const { sequence: _s, ...u1 } = entry('u1', 3);
    expect(users.stored.get('u1')?.user).toEqual(u1);
  });

  it('when a user is stored newer than the snapshot says, then the stored state stays', async () => {
    const { fn } = fakeFetch(page([entry('u1', 2, { active: true })], null));
    const users = sink();
    await users.record({ ...entry('u1', 0), active: false }, 5);

    const result = await syncKnownUsers(users, URL_, { fetch: fn });

    expect(result).toEqual({ users: 1, updated: 0, pages: 1 });
    expect(users.stored.get('u1')).toMatchObject({ sequence: 5, user: { active: false } });
  });

  it('when no token is configured, then no internal header is sent', async () => {
    const { fn, requests } = fakeFetch(page([], null));
    await syncKnownUsers(sink(), URL_, { fetch: fn });
    expect(requests[0]?.headers[INTERNAL_TOKEN_HEADER]).toBeUndefined();
  });

  it('when identity is still starting, then it retries the page and carries on', async () => {
    const { fn, requests } = fakeFetch(
      new TypeError('fetch failed'),
      { status: 503, body: { code: 'NOT_READY' } },
      page([entry('u1', 1)], null),
    );
    const users = sink();

    const result = await syncKnownUsers(users, URL_, { fetch: fn, retryDelayMs: 1 });

    expect(result.users).toBe(1);
    expect(requests).toHaveLength(3);
    expect(users.stored.has('u1')).toBe(true);
  });

  it('when identity never answers, then it gives up after the attempts and says why', async () => {
    const { fn, requests } = fakeFetch({ status: 502, body: {} });
    await expect(syncKnownUsers(sink(), URL_, { fetch: fn, attempts: 3, retryDelayMs: 1 })).rejects.toThrow(
      /users snapshot unavailable from .* after 3 attempts/,
    );
    expect(requests).toHaveLength(3);
  });

  it('when the token is refused, then it fails at once without retrying', async () => {
    const { fn, requests } = fakeFetch({ status: 403, body: { code: 'INTERNAL_TOKEN_INVALID' } });
    await expect(syncKnownUsers(sink(), URL_, { fetch: fn, retryDelayMs: 1 })).rejects.toThrow(
      /answered 403/,
    );
    expect(requests).toHaveLength(1);
  });

  it('when a page is malformed, then nothing of it is recorded and it fails at once', async () => {
    const bad = { results: [entry('u1', 1), { ...entry('u2', 1), role: 'owner' }], next: null };
    const { fn, requests } = fakeFetch({ status: 200, body: bad });
    const users = sink();
    await expect(syncKnownUsers(users, URL_, { fetch: fn, retryDelayMs: 1 })).rejects.toThrow(/malformed/);
    expect(requests).toHaveLength(1);
    expect(users.stored.size).toBe(0);
  });

  it('when identity hands out the same page again, then it stops instead of looping', async () => {
    const { fn } = fakeFetch(page([entry('u1', 1)], 'u1'));
    await expect(syncKnownUsers(sink(), URL_, { fetch: fn })).rejects.toThrow(/same page twice/);
  });
});
