import { afterEach, describe, expect, it } from 'vitest';
import { startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(() => stack?.close());

const headersOf = (res: Response) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
  reset: Number(res.headers.get('ratelimit-reset')),
  policy: res.headers.get('ratelimit-policy'),
});

describe('rate limits', () => {
  it('puts RateLimit headers on proxied, public and refused responses', async () => {
    stack = await startStack({ limits: { ipMax: 5, userMax: 100 } });
    const token = await stack.key.sign();
    const proxied = await fetch(`${stack.url}/api/tickets/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(proxied.status).toBe(200);
    expect(headersOf(proxied)).toMatchObject({
      limit: '5',
      remaining: '4',
      policy: '5;w=60;comment="ip", 100;w=60;comment="user"',
    });
    expect(headersOf(proxied).reset).toBeGreaterThan(0);
    const refused = await fetch(`${stack.url}/api/tickets/`);
    expect(refused.status).toBe(401);
    expect(headersOf(refused)).toMatchObject({ limit: '5', remaining: '3', policy: '5;w=60;comment="ip"' });
    const docs = await fetch(`${stack.url}/swagger/`);
    expect(headersOf(docs).remaining).toBe('2');
  });

  it('answers 429 with Retry-After once one address passes its limit, and never forwards it', async () => {
    stack = await startStack({ limits: { ipMax: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${stack.url}/api/auth/login/`, { method: 'POST' })).status).toBe(200);
    const before = stack.fakes.identity.seen.length;
    const res = await fetch(`${stack.url}/api/auth/login/`, { method: 'POST' });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(headersOf(res)).toMatchObject({ limit: '3', remaining: '0' });
    expect(await res.json()).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED' });
    expect(stack.fakes.identity.seen.length).toBe(before);
  });

  it('limits one user across tokens, and leaves other users alone', async () => {
    stack = await startStack({ limits: { ipMax: 100, userMax: 2 } });
    const call = async (token: string) =>
      fetch(`${stack?.url}/api/tickets/`, { headers: { authorization: `Bearer ${token}` } });
    const [a1, a2, b] = await Promise.all([
      stack.key.sign({ sub: 'ann' }),
      stack.key.sign({ sub: 'ann' }),
      stack.key.sign({ sub: 'bob' }),
    ]);
    expect((await call(a1)).status).toBe(200);
    const second = await call(a2);
    expect(headersOf(second)).toMatchObject({ limit: '2', remaining: '0' });
    const third = await call(a1);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await third.json()).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      detail: expect.stringContaining('user'),
    });
    expect((await call(b)).status).toBe(200);
  });

  it('does not count health probes', async () => {
    stack = await startStack({ limits: { ipMax: 1 } });
    for (let i = 0; i < 3; i++) expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.url}/api/auth/login/`, { method: 'POST' })).status).toBe(200);
  });

  it('keys by x-forwarded-for only behind a trusted proxy', async () => {
    stack = await startStack({ limits: { ipMax: 1, trustedHops: 1 } });
    const from = (ip: string) =>
      fetch(`${stack?.url}/api/auth/login/`, {
        method: 'POST',
        headers: { 'x-forwarded-for': `9.9.9.9, ${ip}` },
      });
    expect((await from('1.1.1.1')).status).toBe(200);
    expect((await from('2.2.2.2')).status).toBe(200);
    expect((await from('1.1.1.1')).status).toBe(429);
    expect(stack.fakes.identity.seen.at(-1)?.headers['x-forwarded-for']).toBe('9.9.9.9, 2.2.2.2, 127.0.0.1');
  });

  it('tells the service the client address it keyed by, in x-client-ip, over a forged one', async () => {
    stack = await startStack({ limits: { trustedHops: 1 } });
    await fetch(`${stack.url}/api/auth/login/`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '9.9.9.9, 3.3.3.3', 'x-client-ip': '9.9.9.9' },
    });
    expect(stack.fakes.identity.seen.at(-1)?.headers['x-client-ip']).toBe('3.3.3.3');
  });
});
