import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, rawRequest, startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack({ down: ['reporting'], timeoutMs: 300 });
  token = await stack.key.sign();
});
afterAll(() => stack.close());

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

describe('routing by path prefix', () => {
  it.each([
    ['/api/auth/profile/', 'identity'],
    ['/api/auth/profile', 'identity'],
    ['/api/auth/users/search/?q=ann', 'identity'],
    ['/api/tickets/', 'tickets'],
    ['/api/tickets', 'tickets'],
    ['/api/tickets/42/comments/', 'tickets'],
    ['/api/categories/', 'tickets'],
    ['/api/assignment-rules', 'tickets'],
    ['/api/helpdesk/tickets/?org_id=default', 'tickets'],
    ['/api/sla/policies/', 'sla'],
    ['/api/tickets/42/sla/', 'sla'],
    ['/api/tickets/42/sla', 'sla'],
    ['/api/tickets/42/sla/history/', 'sla'],
  ])('%s goes to %s with path and query unchanged', async (path, service) => {
    const res = await call(path);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service, url: path });
  });

  it('answers an unknown path with a problem+json 404 and forwards nothing', async () => {
    for (const path of ['/api/unknown/', '/api/authx', '/nothing']) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('refuses dot segments, plain or percent-encoded', async () => {
    const before = stack.fakes.tickets.seen.length + stack.fakes.identity.seen.length;
    for (const path of ['/api/auth/login/../../tickets/', '/api/auth/%2e%2e/tickets/', '/api/tickets/./']) {
      const res = await rawRequest(stack.url, `GET ${path} HTTP/1.1\nAuthorization: Bearer ${token}`);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST_PATH' });
    }
    expect(stack.fakes.tickets.seen.length + stack.fakes.identity.seen.length).toBe(before);
  });

  it('does not take a dot segment in the query for one in the path', async () => {
    const res = await rawRequest(
      stack.url,
      `GET /api/tickets/?q=a/./b&r=/.. HTTP/1.1\nAuthorization: Bearer ${token}`,
    );
    expect(res.status).toBe(200);
    expect(stack.fakes.tickets.seen.at(-1)?.url).toBe('/api/tickets/?q=a/./b&r=/..');
  });

  it('forwards an absolute-form target as path and query only', async () => {
    const res = await rawRequest(
      stack.url,
      `GET http://evil.example/api/tickets/?q=1 HTTP/1.1\nAuthorization: Bearer ${token}`,
    );
    expect(res.status).toBe(200);
    expect(stack.fakes.tickets.seen.at(-1)?.url).toBe('/api/tickets/?q=1');
  });

  it('forwards the method and the body', async () => {
    const res = await call('/api/tickets/', {
      method: 'POST',
      body: JSON.stringify({ title: 'x' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await res.json()).toMatchObject({ method: 'POST', bytes: 13 });
    const seen = stack.fakes.tickets.seen.at(-1);
    expect(seen?.body.toString()).toBe('{"title":"x"}');
    expect(seen?.headers['content-type']).toBe('application/json');
  });

  it('answers HEAD with the upstream status and headers and no body', async () => {
    const res = await request(`${stack.url}/api/tickets/`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-service']).toBe('tickets');
    expect(await res.body.text()).toBe('');
  });
});

describe('headers on the way in and out', () => {
  it('keeps a safe incoming x-request-id, forwards it and returns it', async () => {
    const res = await call('/api/tickets/', { headers: { 'x-request-id': 'req-12345678' } });
    expect(res.headers.get('x-request-id')).toBe('req-12345678');
    expect(stack.fakes.tickets.seen.at(-1)?.headers['x-request-id']).toBe('req-12345678');
  });

  it('replaces an unsafe or missing x-request-id with a fresh one', async () => {
    const res = await call('/api/tickets/', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.fakes.tickets.seen.at(-1)?.headers['x-request-id']).toBe(id);
    const other = (await call('/api/tickets/')).headers.get('x-request-id');
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
    expect(other).not.toBe(id);
  });

  it('puts the request id on the gateway own problem responses too', async () => {
    const res = await fetch(`${stack.url}/api/tickets/`, { headers: { 'x-request-id': 'req-abcdefgh' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('req-abcdefgh');
    expect(await res.json()).toMatchObject({ requestId: 'req-abcdefgh' });
  });

  it('sets x-forwarded-* and ignores the caller own ones without a trusted proxy', async () => {
    await call('/api/tickets/', {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil',
        'x-forwarded-proto': 'https',
        'x-client-ip': '6.6.6.6',
      },
    });
    const h = stack.fakes.tickets.seen.at(-1)?.headers;
    expect(h?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(h?.['x-client-ip']).toBe('127.0.0.1');
    expect(h?.['x-forwarded-proto']).toBe('http');
    expect(h?.['x-forwarded-host']).toBe(new URL(stack.url).host);
  });

  it('strips hop-by-hop headers in both directions', async () => {
    stack.fakes.tickets.handle = (_req, res) => {
      res.writeHead(200, {
        'x-secret-hop': '1',
        connection: 'x-secret-hop',
        'proxy-authenticate': 'Basic',
        'x-kept': 'yes',
      });
      res.end('ok');
      return true;
    };
    try {
      const res = await rawRequest(
        stack.url,
        `GET /api/tickets/ HTTP/1.1\nAuthorization: Bearer ${token}\nConnection: x-drop-me\nX-Drop-Me: 1\nTE: trailers\nProxy-Authorization: Basic abc\nX-Kept: in`,
      );
      expect(res.status).toBe(200);
      expect(res.headers['x-kept']).toBe('yes');
      expect(res.headers['x-secret-hop']).toBeUndefined();
      expect(res.headers['proxy-authenticate']).toBeUndefined();
      const h = stack.fakes.tickets.seen.at(-1)?.headers;
      expect(h?.['x-kept']).toBe('in');
      expect(h?.['x-drop-me']).toBeUndefined();
      expect(h?.te).toBeUndefined();
      expect(h?.['proxy-authorization']).toBeUndefined();
    } finally {
      stack.fakes.tickets.handle = undefined;
    }
  });
});

describe('upstream failures', () => {
  it('answers 502 UPSTREAM_UNAVAILABLE when the service is down', async () => {
    const res = await call('/api/reports/stats/');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('answers 504 UPSTREAM_TIMEOUT when the service does not answer in time', async () => {
    const pending: Array<() => void> = [];
    stack.fakes.sla.handle = (_req, res) => {
      pending.push(() => res.end());
      return true;
    };
    try {
      const res = await call('/api/sla/policies/');
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    } finally {
      stack.fakes.sla.handle = undefined;
      for (const end of pending) end();
    }
  });
});

describe('failures mid-response', () => {
  const durations = () =>
    stack.gateway.metrics.registry.getSingleMetricAsString('http_request_duration_seconds');

  it('logs an upstream that breaks off its body and counts the response as a 502', async () => {
    const warn = vi.spyOn(stack.gateway.logger, 'warn');
    stack.fakes.tickets.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789', () => res.socket?.destroy());
      return true;
    };
    try {
      const res = await call('/api/tickets/cut-off/');
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      await vi.waitFor(() =>
        expect(warn).toHaveBeenCalledWith(expect.anything(), 'upstream response stream failed'),
      );
      await vi.waitFor(async () =>
        expect(await durations()).toMatch(/_count\{[^}]*route="tickets"[^}]*status="502"[^}]*\} 1/),
      );
    } finally {
      stack.fakes.tickets.handle = undefined;
      warn.mockRestore();
    }
  });

  it('logs nothing when the client goes away', async () => {
    const warn = vi.spyOn(stack.gateway.logger, 'warn');
    let finish = () => {};
    stack.fakes.sla.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789');
      finish = () => res.end('x'.repeat(90));
      return true;
    };
    try {
      const res = await request(`${stack.url}/api/sla/client-left/`, {
        headers: { authorization: `Bearer ${token}` },
      });
      for await (const _ of res.body) break;
      await vi.waitFor(async () => expect(await durations()).toMatch(/route="sla"[^}]*status="200"/));
      finish();
      await new Promise((r) => setTimeout(r, 100));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      stack.fakes.sla.handle = undefined;
      warn.mockRestore();
    }
  });
});

describe("outside Node's HTTP server (app.request)", () => {
  it('forwards and answers with a web Response, headers and body intact', async () => {
    const origins = {
      identity: stack.fakes.identity.url,
      tickets: stack.fakes.tickets.url,
      sla: stack.fakes.sla.url,
      reporting: stack.fakes.reporting.url,
    };
    const jwksUrl = `${stack.fakes.identity.url}/api/auth/jwks.json`;
    stack.fakes.identity.handle = (req, res) => {
      if (!req.url.endsWith('jwks.json')) return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stack.key.jwks));
      return true;
    };
    const { app, upstreams } = createTestApp(origins, { jwksUrl });
    try {
      const res = await app.request('/api/tickets/?q=1', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-inproc-1' },
        body: 'hello',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('req-inproc-1');
      expect(res.headers.get('ratelimit-limit')).toBe('10000');
      expect(await res.json()).toMatchObject({ service: 'tickets', url: '/api/tickets/?q=1', bytes: 5 });
    } finally {
      stack.fakes.identity.handle = undefined;
      await upstreams.close();
    }
  });
});
