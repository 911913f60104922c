import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERNAL_TOKEN_HEADER } from './fetch-json-with-retry.ts';
import { loadRevocations } from './load-revocations.ts';
import { RevocationList } from './revocation-list.ts';

type Reply = { status: number; body: unknown };

let server: Server | undefined;
afterEach(async () => {
  if (server?.listening) {
    server.close();
    await once(server, 'close');
  }
  server = undefined;
});

/** A local endpoint answering `replies` in turn (the last one repeats); it records each request's headers. */
async function serve(...replies: Reply[]) {
  const requests: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    requests.push(req.headers);
    const reply = replies[Math.min(requests.length, replies.length) - 1] as Reply;
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/internal/revocations`, requests };
}

const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
const token = (over: Partial<{ jti: string; sub: string; iat: number; sid: string }> = {}) => ({
  jti: 'j-other',
  sub: 'u-other',
  iat: Math.floor(Date.now() / 1000) - 60,
  sid: 's-other',
  ...over,
});

const snapshot = {
  generatedAt: new Date().toISOString(),
  entries: [
    { kind: 'session', sid: 's1', expiresAt: inAnHour },
    { kind: 'token', jti: 'j1', expiresAt: inAnHour },
    { kind: 'subject', sub: 'u1', notBefore: new Date().toISOString(), expiresAt: inAnHour },
  ],
};

describe('loadRevocations', () => {
  it('when identity answers a snapshot, then every kind of entry is applied and others pass', async () => {
    const { url } = await serve({ status: 200, body: snapshot });
    const list = new RevocationList();

    const result = await loadRevocations(list, url);

    expect(result).toEqual({ generatedAt: new Date(snapshot.generatedAt), entries: 3 });
    expect(list.isRevoked(token({ sid: 's1' }))).toBe(true);
    expect(list.isRevoked(token({ jti: 'j1' }))).toBe(true);
    expect(list.isRevoked(token({ sub: 'u1' }))).toBe(true);
    // Issued after the cut-off: a new login of the same user works.
    expect(list.isRevoked(token({ sub: 'u1', iat: Math.floor(Date.now() / 1000) + 2 }))).toBe(false);
    expect(list.isRevoked(token())).toBe(false);
  });

  it('when a token is given, then it is sent in the internal header, and not otherwise', async () => {
    const { url, requests } = await serve({ status: 200, body: snapshot });
    await loadRevocations(new RevocationList(), url, { token: 'shared-secret' });
    await loadRevocations(new RevocationList(), url);
    expect(requests.map((h) => h[INTERNAL_TOKEN_HEADER])).toEqual(['shared-secret', undefined]);
  });

  it('when identity is not ready yet, then it retries and applies the snapshot once one comes', async () => {
    const { url, requests } = await serve(
      { status: 503, body: { code: 'NOT_READY' } },
      { status: 200, body: snapshot },
    );
    const list = new RevocationList();
    await loadRevocations(list, url, { retryDelayMs: 0 });
    expect(requests).toHaveLength(2);
    expect(list.isRevoked(token({ sid: 's1' }))).toBe(true);
  });

  it('when no snapshot comes within the attempts, then it throws naming the URL', async () => {
    const { url, requests } = await serve({ status: 503, body: {} });
    await expect(
      loadRevocations(new RevocationList(), url, { attempts: 3, retryDelayMs: 0 }),
    ).rejects.toThrow(`revocation snapshot unavailable from ${url} after 3 attempts`);
    expect(requests).toHaveLength(3);
  });

  it('when the internal token is refused, then it fails at once without retrying', async () => {
    const { url, requests } = await serve({ status: 403, body: { code: 'INTERNAL_TOKEN_INVALID' } });
    await expect(loadRevocations(new RevocationList(), url, { retryDelayMs: 0 })).rejects.toThrow(/403/);
    expect(requests).toHaveLength(1);
  });

  it('when the body is malformed, then nothing is applied, not even its valid entries', async () => {
    const bad = { ...snapshot, entries: [...snapshot.entries, { kind: 'session', expiresAt: inAnHour }] };
    const { url } = await serve({ status: 200, body: bad });
    const list = new RevocationList();
    await expect(loadRevocations(list, url, { retryDelayMs: 0 })).rejects.toThrow(/malformed/);
    expect(list.size).toBe(0);
  });

  it('when nothing listens at the URL, then it throws after its attempts', async () => {
    const { url } = await serve({ status: 200, body: snapshot });
    server?.close();
    await once(server as Server, 'close');
    await expect(
      loadRevocations(new RevocationList(), url, { attempts: 2, retryDelayMs: 0 }),
    ).rejects.toThrow(/after 2 attempts/);
  });
});
