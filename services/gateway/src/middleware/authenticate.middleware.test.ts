import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const get = (path: string, token?: string) =>
  fetch(`${stack.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

async function expectRejected(res: Response, code: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(await res.json()).toMatchObject({ status: 401, code });
}

describe('token check at the gateway', () => {
  it('forwards a request with a valid token, Authorization header included', async () => {
    const token = await stack.key.sign();
    const res = await get('/api/tickets/', token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'tickets', url: '/api/tickets/' });
    expect(stack.fakes.tickets.seen.at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('refuses a request without a token, and the service never sees it', async () => {
    const before = stack.fakes.tickets.seen.length;
    await expectRejected(await get('/api/tickets/'), 'AUTH_REQUIRED');
    expect(stack.fakes.tickets.seen.length).toBe(before);
  });

  it('refuses a malformed Authorization header', async () => {
    const res = await fetch(`${stack.url}/api/tickets/`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    await expectRejected(res, 'AUTH_REQUIRED');
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    await expectRejected(
      await get('/api/tickets/', await stack.key.sign({}, { key: privateKey })),
      'AUTH_TOKEN_INVALID',
    );
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const token = new UnsecuredJWT({ org: 'default', role: 'admin', jti: 'x' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('attacker')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_INVALID');
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const jwk = stack.key.jwks.keys[0] as { x: string };
    for (const secret of [
      new TextEncoder().encode(JSON.stringify(stack.key.jwks.keys[0])),
      Buffer.from(jwk.x, 'base64url'),
    ]) {
      const token = await new SignJWT({ org: 'default', role: 'admin', jti: 'hs' })
        .setProtectedHeader({ alg: 'HS256', kid: 'test-key' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('attacker')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(secret);
      await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_INVALID');
    }
  });

  it('refuses an expired token', async () => {
    const token = await stack.key.sign(
      { iat: Math.floor(Date.now() / 1000) - 600 },
      { expiresIn: Math.floor(Date.now() / 1000) - 60 },
    );
    await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_EXPIRED');
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await expectRejected(
      await get('/api/tickets/', await stack.key.sign({ aud: 'other' })),
      'AUTH_TOKEN_INVALID',
    );
    await expectRejected(
      await get('/api/tickets/', await stack.key.sign({ iss: 'someone-else' })),
      'AUTH_TOKEN_INVALID',
    );
  });

  it('lets public routes through without a token, with or without the trailing slash', async () => {
    for (const path of [
      '/api/auth/login/',
      '/api/auth/login',
      '/api/auth/register/',
      '/api/auth/refresh',
      '/api/auth/jwks.json',
      '/.well-known/jwks.json',
    ]) {
      const res = await fetch(`${stack.url}${path}`, {
        method: path.includes('jwks') ? 'GET' : 'POST',
        body: path.includes('jwks') ? null : '{}',
      });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ service: 'identity', url: path });
    }
  });

  it('keeps a public route public only for the methods it answers', async () => {
    const before = stack.fakes.identity.seen.length;
    for (const [method, path] of [
      ['GET', '/api/auth/login/'],
      ['DELETE', '/api/auth/register/'],
      ['PUT', '/api/auth/refresh'],
      ['POST', '/.well-known/jwks.json'],
      ['DELETE', '/api/auth/jwks.json'],
    ] as const) {
      await expectRejected(await fetch(`${stack.url}${path}`, { method }), 'AUTH_REQUIRED');
    }
    expect(stack.fakes.identity.seen.length).toBe(before);
    expect((await fetch(`${stack.url}/api/auth/login/`, { method: 'OPTIONS' })).status).toBe(200);
  });

  it('does not treat a path below a public route as public', async () => {
    await expectRejected(await get('/api/auth/login/extra/'), 'AUTH_REQUIRED');
  });
});

describe('revoked tokens', () => {
  it('refuses a token whose jti was revoked', async () => {
    const token = await stack.key.sign();
    expect((await get('/api/tickets/', token)).status).toBe(200);
    const { jti, exp } = claims(token);
    stack.gateway.revocations.revokeToken(jti as string, (exp as number) * 1000);
    await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_REVOKED');
  });

  it('refuses every token of a revoked session', async () => {
    const token = await stack.key.sign({ sid: 'session-to-revoke' });
    stack.gateway.revocations.revokeSession('session-to-revoke', Date.now() + 60_000);
    await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_REVOKED');
  });

  it('refuses tokens of a subject issued before its cut-off, not later ones', async () => {
    const old = await stack.key.sign({ sub: 'demoted', iat: Math.floor(Date.now() / 1000) - 30 });
    stack.gateway.revocations.revokeSubject('demoted', Date.now() - 10_000, Date.now() + 60_000);
    await expectRejected(await get('/api/tickets/', old), 'AUTH_TOKEN_REVOKED');
    expect((await get('/api/tickets/', await stack.key.sign({ sub: 'demoted' }))).status).toBe(200);
  });
});

describe('POST /api/auth/logout/ through the gateway', () => {
  it('revokes the token and its session locally as soon as identity confirms', async () => {
    const token = await stack.key.sign({ sid: 'logout-session' });
    const sibling = await stack.key.sign({ sid: 'logout-session' });
    const res = await fetch(`${stack.url}/api/auth/logout/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(res.status).toBe(200);
    await expectRejected(await get('/api/tickets/', token), 'AUTH_TOKEN_REVOKED');
    await expectRejected(await get('/api/tickets/', sibling), 'AUTH_TOKEN_REVOKED');
  });

  it('revokes nothing when identity refuses the logout', async () => {
    stack.fakes.identity.handle = (req, res) => {
      if (!req.url.startsWith('/api/auth/logout')) return false;
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{}');
      return true;
    };
    try {
      const token = await stack.key.sign();
      const res = await fetch(`${stack.url}/api/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(400);
      expect((await get('/api/tickets/', token)).status).toBe(200);
    } finally {
      stack.fakes.identity.handle = undefined;
    }
  });
});

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
}
