import { LoginResponseSchema } from '@helpdesk/contracts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Identity, signUp, startIdentity } from './harness.ts';

let id: Identity;

beforeAll(async () => {
  id = await startIdentity();
});
afterAll(async () => {
  await id?.close();
});

describe('POST /api/auth/login/', () => {
  it('when the credentials are right, then it returns tokens that verify against the JWKS', async () => {
    const c = client(id);
    const u = await signUp(c);
    const res = await c.post('/api/auth/login', { username: u.username, password: u.password });
    expect(res.status).toBe(200);
    const body = LoginResponseSchema.parse(res.body);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { id: u.id, username: u.username },
    });

    const jwks = await c.get('/api/auth/jwks.json');
    const { payload, protectedHeader } = await jwtVerify(body.access, createLocalJWKSet(jwks.body), {
      issuer: 'helpdesk-identity',
      audience: 'helpdesk',
    });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.body.keys[0].kid });
    expect(payload).toMatchObject({ sub: u.id, org: 'default', role: 'user' });
    expect(payload.sid).toBe(body.refresh.split('.')[0]);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp).toBe((payload.iat ?? 0) + 900);
  });

  it('when the email is used instead of the username, then it logs in', async () => {
    const c = client(id);
    const u = await signUp(c);
    const res = await c.post('/api/auth/login/', {
      email: `${u.username}@EXAMPLE.com`,
      password: u.password,
    });
    expect(res.status).toBe(200);
  });

  it('when the password is wrong or the user unknown, then both get 401 AUTH_INVALID_CREDENTIALS', async () => {
    const c = client(id);
    const u = await signUp(c);
    const wrong = await c.post('/api/auth/login/', { username: u.username, password: 'not it at all' });
    const unknown = await c.post('/api/auth/login/', { username: 'nobody-here', password: 'not it at all' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('AUTH_INVALID_CREDENTIALS');
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('when one account failed 10 times, then the 11th attempt gets 429 even with the right password', async () => {
    const u = await signUp(client(id));
    for (let i = 0; i < 10; i++) {
      // Each guess from another address: the account limit holds on its own.
      const res = await client(id).post('/api/auth/login/', {
        username: u.username,
        password: `guess number ${i}`,
      });
      expect(res.status).toBe(401);
    }
    const res = await client(id).post('/api/auth/login/', { username: u.username, password: u.password });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('AUTH_THROTTLED');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(res.body).not.toHaveProperty('access');

    const byEmail = await client(id).post('/api/auth/login/', {
      email: `${u.username}@example.com`,
      password: u.password,
    });
    expect(byEmail.status).toBe(429);
    const counter = await id.store.conn
      .collection<{ _id: string; count: number; startedAt: Date; expiresAt: Date }>('login_throttle')
      .findOne({ _id: `user:${u.id}` });
    expect(counter?.count).toBe(12);
    expect((counter?.expiresAt.getTime() ?? 0) - (counter?.startedAt.getTime() ?? 0)).toBe(900_000);
    expect(await id.metrics.registry.getSingleMetricAsString('identity_login_attempts_total')).toMatch(
      /outcome="throttled"[^\n]* [1-9]/,
    );
  });

  it('when the failures straddle a quarter-hour boundary, then the 11th is still throttled until the window from the first failure ends', async () => {
    // One second before the last quarter hour: clock-aligned windows would reset in between.
    let now = Math.floor(Date.now() / 900_000) * 900_000 - 1_000;
    const timed = await startIdentity({}, { clock: () => new Date(now) });
    try {
      const u = await signUp(client(timed));
      for (let i = 0; i < 10; i++) {
        const res = await client(timed).post('/api/auth/login/', {
          username: u.username,
          password: `guess ${i}`,
        });
        expect(res.status).toBe(401);
      }
      now += 2_000;
      const res = await client(timed).post('/api/auth/login/', {
        username: u.username,
        password: u.password,
      });
      expect([res.status, res.headers.get('retry-after')]).toEqual([429, String(900 - 2)]);

      now += 898_000 - 1;
      expect(
        (await client(timed).post('/api/auth/login/', { username: u.username, password: u.password })).status,
      ).toBe(429);
      now += 1;
      expect(
        (await client(timed).post('/api/auth/login/', { username: u.username, password: u.password })).status,
      ).toBe(200);
    } finally {
      await timed.close();
    }
  });

  it('when replicas count the first failures of a key at once, then every attempt is counted in one window', async () => {
    const u = await signUp(client(id));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        id.deps.throttle.hit(`user:${u.id}:race`, new Date(Date.now() + i), 900),
      ),
    );
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(results.map((r) => r.startedAt)).size).toBe(1);
  });

  it('when the body is not JSON or too large, then problem+json 400 / 413', async () => {
    const bad = await id.app.request('/api/auth/login/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(bad.status).toBe(400);
    const big = await id.app.request('/api/auth/login/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(20_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('REQUEST_TOO_LARGE');
  });
});

describe('login throttling per address', () => {
  it('when one address fails across accounts, then it is throttled; behind no proxy a forged x-client-ip does not help', async () => {
    const direct = await startIdentity({ LOGIN_MAX_FAILURES_PER_IP: '3', TRUST_PROXY: 'false' });
    try {
      const target = await signUp(client(direct));
      // Every client() sends its own x-client-ip; without TRUST_PROXY they all share the socket's.
      for (let i = 0; i < 3; i++) {
        const res = await client(direct).post('/api/auth/login/', {
          username: `ghost${i}`,
          password: 'whatever it is',
        });
        expect(res.status).toBe(401);
      }
      const res = await client(direct).post('/api/auth/login/', {
        username: target.username,
        password: target.password,
      });
      expect(res.status).toBe(429);
    } finally {
      await direct.close();
    }
  });

  it('when behind the gateway, then the x-client-ip it sets counts, not the load balancer in x-forwarded-for', async () => {
    const proxied = await startIdentity({ LOGIN_MAX_FAILURES_PER_IP: '3', TRUST_PROXY: 'true' });
    try {
      const target = await signUp(client(proxied));
      // Behind a load balancer (203.0.113.9) the last x-forwarded-for entry is the same for
      // everyone; the attacker also makes up a new first entry for every attempt.
      const viaBalancer = (ip: string, i: number) => (body: unknown) =>
        client(proxied, ip).call('POST', '/api/auth/login/', body, undefined, {
          'x-forwarded-for': `198.51.100.${i}, 203.0.113.9`,
        });
      for (let i = 0; i < 3; i++) {
        const res = await viaBalancer('198.18.0.1', i)({ username: `ghost${i}`, password: 'whatever it is' });
        expect(res.status).toBe(401);
      }
      const credentials = { username: target.username, password: target.password };
      expect((await viaBalancer('198.18.0.1', 3)(credentials)).status).toBe(429);
      expect((await viaBalancer('198.18.0.2', 3)(credentials)).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});
