import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../src/use-cases/rotate-signing-key.ts';
import { rotationDeps } from '../src/wiring.ts';
import { client, type Identity, signUp, startIdentity, startReplica } from './harness.ts';

let id: Identity;

beforeAll(async () => {
  id = await startIdentity();
});
afterAll(async () => {
  await id?.close();
});

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());

/** The claims of a real token, signed as the caller likes. */
function resign(token: string) {
  const { iat: _iat, exp: _exp, ...claims } = claimsOf(token);
  return new SignJWT(claims).setIssuedAt().setExpirationTime('10m');
}

describe('access tokens at the door', () => {
  it('when a token is signed with another key, then 401 AUTH_TOKEN_INVALID', async () => {
    const u = await signUp(client(id));
    const kid = JSON.parse(Buffer.from(u.access.split('.')[0] ?? '', 'base64url').toString()).kid;
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await resign(u.access).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
    const res = await client(id).get('/api/auth/profile/', forged);
    expect([res.status, res.body.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
  });

  it('when a token says alg none, then 401', async () => {
    const u = await signUp(client(id));
    const { iat: _i, exp: _e, ...claims } = claimsOf(u.access);
    const none = new UnsecuredJWT({ ...claims, role: 'admin' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    expect((await client(id).get('/api/auth/profile/', none)).status).toBe(401);
    expect((await client(id).get('/api/auth/users/search/', none)).status).toBe(401);
  });

  it('when a token signed with our own key has expired, then 401 AUTH_TOKEN_EXPIRED', async () => {
    const u = await signUp(client(id));
    const { kid, key } = id.keys.signer();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claimsOf(u.access), iat: now - 1000, exp: now - 60 })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .sign(key);
    const res = await client(id).get('/api/auth/profile/', expired);
    expect([res.status, res.body.code]).toEqual([401, 'AUTH_TOKEN_EXPIRED']);
  });

  it('when a token signed with our own key names another audience or issuer, then 401', async () => {
    const u = await signUp(client(id));
    const { kid, key } = id.keys.signer();
    for (const claim of [{ aud: 'somewhere-else' }, { iss: 'someone-else' }]) {
      const token = await resign(u.access)
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setAudience(claim.aud ?? 'helpdesk')
        .setIssuer(claim.iss ?? 'helpdesk-identity')
        .sign(key);
      const res = await client(id).get('/api/auth/profile/', token);
      expect([res.status, res.body.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
    }
    // The same construction with our audience and issuer passes, so the refusals above are about the claim.
    const good = await resign(u.access).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key);
    expect((await client(id).get('/api/auth/profile/', good)).status).toBe(200);
  });
});

describe('access-token lifetime', () => {
  it('when a token signed with our own key claims a longer life than ACCESS_TOKEN_TTL plus skew, then 401', async () => {
    const u = await signUp(client(id));
    const { kid, key } = id.keys.signer();
    const signed = (lifetime: number) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claimsOf(u.access), iat: now, exp: now + lifetime })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .sign(key);
    };
    // 30 minutes: under the kit's default bound of an hour, over identity's 15 minutes + 60 s.
    const long = await client(id).get('/api/auth/profile/', await signed(1800));
    expect([long.status, long.body.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
    expect((await client(id).get('/api/auth/profile/', await signed(900 + 60))).status).toBe(200);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('when fetched at either path, then it is public, cacheable and holds no private key', async () => {
    for (const path of ['/.well-known/jwks.json', '/api/auth/jwks.json']) {
      const res = await client(id).get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
      expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
      for (const key of res.body.keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
        expect(key).not.toHaveProperty('d');
      }
    }
  });
});

describe('signing key rotation', () => {
  it('when the key rotates, then old tokens keep working, new ones use the new kid and both are published', async () => {
    const u = await signUp(client(id));
    const before = (await client(id).get('/.well-known/jwks.json')).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    const { kid } = await rotateSigningKey(rotationDeps(id.config, id.store));
    await id.keys.load();

    const jwks = (await client(id).get('/.well-known/jwks.json')).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(jwks).toEqual(expect.arrayContaining([...before, kid]));
    expect((await client(id).get('/api/auth/profile/', u.access)).status).toBe(200);
    const login = await client(id).post('/api/auth/login/', { username: u.username, password: u.password });
    expect(JSON.parse(Buffer.from(login.body.access.split('.')[0], 'base64url').toString()).kid).toBe(kid);
    const stored = await id.store.signingKeys.list();
    expect(stored.filter((k) => k.retiredAt === null).map((k) => k.kid)).toEqual([kid]);
  });

  it('when the active key is older than SIGNING_KEY_MAX_AGE at start, then a replica rotates it', async () => {
    const keys = id.store.conn.collection('signing_keys');
    const young = await startReplica(id);
    await young.close();
    expect(await keys.countDocuments({ retiredAt: null })).toBe(1);
    const before = await keys.countDocuments();
    // 31 days old: past the default maximum of 30 days.
    await keys.updateMany(
      { retiredAt: null },
      { $set: { createdAt: new Date(Date.now() - 31 * 86_400_000) } },
    );

    const aged = await startReplica(id);
    try {
      const after = await aged.store.signingKeys.list();
      expect(after.length).toBe(before + 1);
      const active = after.filter((k) => k.retiredAt === null);
      expect(active).toHaveLength(1);
      expect(Date.now() - (active[0]?.createdAt.getTime() ?? 0)).toBeLessThan(60_000);
    } finally {
      await aged.close();
    }
  });
});

describe('revocations across replicas', () => {
  it('when a user logs out on one replica, then the other refuses the token once session.revoked arrives', async () => {
    const other = await startReplica(id);
    try {
      const u = await signUp(client(id));
      expect((await client(other).get('/api/auth/profile/', u.access)).status).toBe(200);
      await client(id).post('/api/auth/logout/', undefined, u.access);
      await id.relay.drained();
      const sid = claimsOf(u.access).sid;
      await expect
        .poll(() => other.revocations.isRevoked({ ...claimsOf(u.access), sid }), { timeout: 10_000 })
        .toBe(true);
      const res = await client(other).get('/api/auth/profile/', u.access);
      expect([res.status, res.body.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    } finally {
      await other.close();
    }
  });

  it("when a replica restarts after a deactivation, then the user's old tokens stay refused", async () => {
    const admin = await signUp(client(id), { org: `Restart ${Date.now()}` });
    const agent = await client(id).post(
      '/api/auth/users/',
      {
        username: `r${Date.now()}`,
        email: `r${Date.now()}@example.com`,
        password: 'a good password',
        role: 'agent',
      },
      admin.access,
    );
    const login = await client(id).post('/api/auth/login/', {
      username: agent.body.username,
      password: 'a good password',
    });
    await client(id).patch(`/api/auth/users/${agent.body.id}/`, { is_active: false }, admin.access);

    const fresh = await startReplica(id);
    try {
      expect((await client(fresh).get('/api/auth/profile/', login.body.access)).status).toBe(401);
    } finally {
      await fresh.close();
    }
  });
});

describe('service endpoints', () => {
  it('when probed, then /healthz, /readyz and /metrics answer and the spec lists the System A paths', async () => {
    expect((await client(id).get('/healthz')).status).toBe(200);
    const ready = await client(id).get('/readyz');
    expect(ready.body).toEqual({ status: 'ok', checks: { mongo: 'ok', broker: 'ok' } });
    const metrics = await id.app.request('/metrics');
    expect(await metrics.text()).toContain('identity_login_attempts_total');
    const spec = (await client(id).get('/openapi.json')).body;
    for (const path of [
      '/api/auth/register/',
      '/api/auth/login/',
      '/api/auth/refresh/',
      '/api/auth/logout/',
      '/api/auth/profile/',
      '/api/auth/users/search/',
      '/api/auth/users/',
      '/api/auth/users/{id}/',
      '/.well-known/jwks.json',
    ]) {
      expect(spec.paths).toHaveProperty([path]);
    }
    expect(spec.paths['/api/auth/login']).toBeUndefined();
    expect(spec.paths['/api/auth/logout/'].post.security).toEqual([{ bearer: [] }]);
    expect(spec.paths['/api/auth/profile/'].patch.security).toEqual([{ bearer: [] }]);
  });
});
