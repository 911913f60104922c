import { RevocationSnapshotSchema } from '@helpdesk/contracts';
import {
  createTokenVerifier,
  INTERNAL_TOKEN_HEADER,
  loadRevocations,
  RevocationList,
  type RunningServer,
  serveApp,
} from '@helpdesk/kit';
import { type EventCollector, waitFor } from '@helpdesk/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  collectIdentityEvents,
  eventOf,
  hire,
  type Identity,
  signUp,
  startIdentity,
  startReplica,
} from './harness.ts';

const INTERNAL_TOKEN = 'an internal token of at least 32 characters';
const SHORT_TTL_SECONDS = 3;

/** The replica on a real port, as another process at its start-up would reach it. */
async function listen(id: Identity) {
  const server = await serveApp({
    app: id.app,
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    handleSignals: false,
  });
  return { server, url: `http://127.0.0.1:${server.port}/internal/revocations` };
}

/** What another service would build at its start, from the snapshot alone (no events). */
async function freshVerifier(id: Identity, url: string) {
  const revocations = new RevocationList();
  await loadRevocations(revocations, url, { token: INTERNAL_TOKEN, attempts: 1 });
  const verifier = createTokenVerifier({
    jwks: id.keys.getKey,
    issuer: id.config.JWT_ISSUER,
    audience: id.config.JWT_AUDIENCE,
    revocations,
  });
  return { verifier, revocations };
}

const servers: RunningServer[] = [];
const identities: Identity[] = [];
let events: EventCollector;

beforeAll(async () => {
  events = await collectIdentityEvents();
});
afterAll(async () => {
  for (const s of servers) await s.shutdown('test done');
  for (const i of identities) await i.close();
  await events?.close();
});

async function start(env: Record<string, string> = {}) {
  const id = await startIdentity({ INTERNAL_TOKEN, ...env });
  identities.push(id);
  const { server, url } = await listen(id);
  servers.push(server);
  return { id, url, c: client(id) };
}

describe('GET /internal/revocations', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start();
  });

  it('when loaded into a fresh list, then logged-out, reused and cut-off tokens are refused and an unrelated one passes', async () => {
    const { id, url, c } = s;
    const leaver = await signUp(c);
    // A second access token of the leaver's session, issued before the logout.
    const sibling = await c.post('/api/auth/refresh/', { refresh: leaver.refresh });
    expect((await c.post('/api/auth/logout/', undefined, leaver.access)).status).toBe(200);
    const victim = await signUp(c);
    const rotated = await c.post('/api/auth/refresh/', { refresh: victim.refresh });
    expect((await c.post('/api/auth/refresh/', { refresh: victim.refresh })).body.code).toBe(
      'AUTH_REFRESH_REUSED',
    );
    const admin = await signUp(c, { org: `Revokers ${Date.now()}` });
    const agent = await hire(c, admin.access, 'agent');
    expect((await c.patch(`/api/auth/users/${agent.id}/`, { is_active: false }, admin.access)).status).toBe(
      200,
    );
    const bystander = await signUp(c);

    // Without the snapshot every one of them would still pass: what refuses them below is the load.
    const blank = createTokenVerifier({
      jwks: id.keys.getKey,
      issuer: id.config.JWT_ISSUER,
      audience: id.config.JWT_AUDIENCE,
      revocations: new RevocationList(),
    });
    const revoked = [leaver.access, sibling.body.access, victim.access, rotated.body.access, agent.access];
    for (const token of revoked) await expect(blank.verify(token)).resolves.toBeDefined();

    const { verifier } = await freshVerifier(id, url);
    for (const token of revoked) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
    }
    await expect(verifier.verify(bystander.access)).resolves.toMatchObject({ sub: bystander.id });
    await expect(verifier.verify(admin.access)).resolves.toMatchObject({ sub: admin.id });
  });

  it('when a replica starts after a logout it never heard of, then it refuses the token too', async () => {
    const { id, c } = s;
    const u = await signUp(c);
    await c.post('/api/auth/logout/', undefined, u.access);
    // The event is gone before the replica binds its queue: only the stored revocation can tell it.
    await events.waitFor(eventOf('session.revoked', u.id));

    const replica = await startReplica(id);
    identities.push(replica);
    const res = await client(replica).get('/api/auth/profile/', u.access);
    expect([res.status, res.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
  });

  it('when the internal token is missing or wrong, then 403 and nothing is told', async () => {
    const { url } = s;
    for (const headers of [{}, { [INTERNAL_TOKEN_HEADER]: `${INTERNAL_TOKEN}x` }]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
    }
    await expect(loadRevocations(new RevocationList(), url, { token: 'wrong', attempts: 1 })).rejects.toThrow(
      /403/,
    );
  });

  it('when the users collection is set up, then the snapshot query has its index', async () => {
    const indexes = await s.id.store.models.users.listIndexes();
    expect(indexes.map((i) => i.key)).toContainEqual({ 'revocations.expiresAt': 1 });
  });
});

describe('GET /internal/revocations with a short ACCESS_TOKEN_TTL', () => {
  it('when the access-token lifetime has passed, then the entries leave the snapshot', async () => {
    const { url, c } = await start({ ACCESS_TOKEN_TTL: `${SHORT_TTL_SECONDS}s` });
    const leaver = await signUp(c);
    const victim = await signUp(c);
    await c.post('/api/auth/logout/', undefined, leaver.access);
    await c.post('/api/auth/refresh/', { refresh: victim.refresh });
    expect((await c.post('/api/auth/refresh/', { refresh: victim.refresh })).body.code).toBe(
      'AUTH_REFRESH_REUSED',
    );
    const sids = [leaver.refresh.split('.')[0], victim.refresh.split('.')[0]];
    const snapshot = async () => {
      const res = await fetch(url, { headers: { [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN } });
      return RevocationSnapshotSchema.parse(await res.json());
    };
    const ours = (snap: Awaited<ReturnType<typeof snapshot>>) =>
      snap.entries.flatMap((e) => (e.kind === 'session' && sids.includes(e.sid) ? [e] : []));

    const before = ours(await snapshot());
    expect(before.map((e) => e.sid).sort()).toEqual([...sids].sort());
    const lastExpiry = Math.max(...before.map((e) => Date.parse(e.expiresAt)));
    expect(lastExpiry).toBeLessThanOrEqual(Date.now() + SHORT_TTL_SECONDS * 1000);

    const after = await waitFor(
      async () => {
        const snap = await snapshot();
        return ours(snap).length === 0 && snap;
      },
      { timeoutMs: (SHORT_TTL_SECONDS + 5) * 1000, description: 'revocations expired from the snapshot' },
    );
    // Gone because they expired, not earlier.
    expect(Date.parse(after.generatedAt)).toBeGreaterThanOrEqual(lastExpiry);
  });
});
