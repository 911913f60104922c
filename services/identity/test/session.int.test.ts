import { SessionRevokedEventSchema } from '@helpdesk/contracts';
import type { EventCollector } from '@helpdesk/testkit';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, collectIdentityEvents, eventOf, type Identity, signUp, startIdentity } from './harness.ts';

let id: Identity;
let events: EventCollector;

beforeAll(async () => {
  id = await startIdentity();
  events = await collectIdentityEvents();
});
afterAll(async () => {
  await events?.close();
  await id?.close();
});

describe('POST /api/auth/refresh/', () => {
  it('when a refresh token is exchanged, then a new pair comes back and the old token is spent', async () => {
    const c = client(id);
    const u = await signUp(c);
    const res = await c.post('/api/auth/refresh/', { refresh: u.refresh });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.body.refresh).not.toBe(u.refresh);
    expect((await c.get('/api/auth/profile/', res.body.access)).status).toBe(200);
    expect((await c.post('/api/auth/refresh', { refresh: res.body.refresh })).status).toBe(200);
  });

  it('when a spent refresh token is presented again, then the whole session is revoked everywhere', async () => {
    const c = client(id);
    const u = await signUp(c);
    const rotated = await c.post('/api/auth/refresh/', { refresh: u.refresh });

    const reuse = await c.post('/api/auth/refresh/', { refresh: u.refresh });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('AUTH_REFRESH_REUSED');

    // Every token of the session is dead: the latest refresh token and both access tokens.
    expect((await c.post('/api/auth/refresh/', { refresh: rotated.body.refresh })).status).toBe(401);
    const profile = await c.get('/api/auth/profile/', rotated.body.access);
    expect([profile.status, profile.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    expect((await c.get('/api/auth/profile/', u.access)).status).toBe(401);

    const event = await events.waitFor(eventOf('session.revoked', u.id));
    expect(SessionRevokedEventSchema.parse(event.body).data).toMatchObject({
      userId: u.id,
      sessionId: u.refresh.split('.')[0],
      reason: 'refresh_reuse',
    });
    expect((await id.store.users.findRecord({ orgId: 'default', id: u.id }))?.sessions).toEqual([]);
  });

  it('when the token is garbage, then 401 AUTH_REFRESH_INVALID', async () => {
    const res = await client(id).post('/api/auth/refresh/', { refresh: 'not-a-token' });
    expect([res.status, res.body.code]).toEqual([401, 'AUTH_REFRESH_INVALID']);
  });
});

describe('POST /api/auth/logout/', () => {
  it('when there is no token, then 401', async () => {
    const res = await client(id).post('/api/auth/logout/');
    expect([res.status, res.body.code]).toEqual([401, 'AUTH_REQUIRED']);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('when a user logs out, then that session dies at once, the event goes out and other sessions live on', async () => {
    const c = client(id);
    const u = await signUp(c);
    const laptop = await c.post('/api/auth/login/', { username: u.username, password: u.password });
    // A second access token of the same session, issued before the logout.
    const sibling = await c.post('/api/auth/refresh/', { refresh: u.refresh });

    const res = await c.post('/api/auth/logout/', undefined, u.access);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ detail: 'Successfully logged out.' });

    const again = await c.get('/api/auth/profile/', u.access);
    expect([again.status, again.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    expect((await c.get('/api/auth/profile/', sibling.body.access)).status).toBe(401);
    expect((await c.post('/api/auth/refresh/', { refresh: sibling.body.refresh })).status).toBe(401);
    expect((await c.get('/api/auth/profile/', laptop.body.access)).status).toBe(200);
    expect((await c.post('/api/auth/refresh/', { refresh: laptop.body.refresh })).status).toBe(200);

    const event = await events.waitFor(eventOf('session.revoked', u.id));
    const jti = JSON.parse(Buffer.from(u.access.split('.')[1] ?? '', 'base64url').toString()).jti;
    expect(SessionRevokedEventSchema.parse(event.body).data).toMatchObject({
      sessionId: u.refresh.split('.')[0],
      jti,
      reason: 'logout',
    });
    expect(decodeProtectedHeader(u.access).kid).toBeDefined();
  });

  it('when the logs are read, then they hold no password and no token', async () => {
    const c = client(id);
    const u = await signUp(c, { password: 'a very distinctive password' });
    await c.post('/api/auth/refresh/', { refresh: u.refresh });
    await c.post('/api/auth/logout/', { refresh: u.refresh }, u.access);
    const all = id.logs.join('');
    expect(all).toContain(u.id);
    for (const secret of [
      'a very distinctive password',
      u.access,
      u.refresh,
      u.refresh.split('.')[1] ?? '',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
