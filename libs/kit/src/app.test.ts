import { createRoute, z } from '@hono/zod-openapi';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServiceApp, serveOpenApi } from './app.ts';
import { ConflictError } from './errors.ts';
import { createMetrics } from './metrics.ts';

function build(ready = true) {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => logs.push(s) });
  const app = createServiceApp({
    name: 't',
    logger,
    metrics: createMetrics('t'),
    readiness: {
      db: () => {
        if (!ready) throw new Error('db down');
      },
    },
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/things',
      request: {
        body: { content: { 'application/json': { schema: z.object({ name: z.string().min(2) }).strict() } } },
      },
      responses: { 201: { description: 'created' } },
    }),
    (c) => c.json({ ok: true }, 201),
  );
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  app.get('/conflict', () => {
    throw new ConflictError('THING_EXISTS', 'That thing exists.');
  });
  serveOpenApi(app, 'test');
  return { app, logs };
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('createServiceApp', () => {
  it('when the body fails validation, then it answers problem+json listing the fields', async () => {
    const res = await build().app.request('/things', json({ name: 'x', role: 'admin' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { code: string; requestId: string; errors: { path: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    expect(body.errors.map((e) => e.path).sort()).toEqual(['name', 'role']);
  });

  it('when the body is not JSON, then it answers 400 problem+json', async () => {
    const res = await build().app.request('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('when a domain error is thrown, then its code and status are kept', async () => {
    const res = await build().app.request('/conflict');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'THING_EXISTS', detail: 'That thing exists.' });
  });

  it('when an unknown error is thrown, then it is logged with its stack and answered with a bare 500', async () => {
    const { app, logs } = build();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text).code).toBe('INTERNAL');
    expect(logs.join('')).toContain('secret internals');
  });

  it('when a caller sends a safe x-request-id, then it is kept; an unsafe one is replaced', async () => {
    const { app } = build();
    expect(
      (await app.request('/healthz', { headers: { 'x-request-id': 'abc-12345678' } })).headers.get(
        'x-request-id',
      ),
    ).toBe('abc-12345678');
    const replaced = (await app.request('/healthz', { headers: { 'x-request-id': 'a b\n' } })).headers.get(
      'x-request-id',
    );
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a dependency is down, then /readyz answers 503 naming it', async () => {
    const res = await build(false).app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { db: 'db down' } });
  });

  it('serves Prometheus metrics including the request histogram', async () => {
    const { app } = build();
    await app.request('/healthz');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('route="/healthz"');
  });

  it('serves its OpenAPI document with the routes and an unknown route is a problem 404', async () => {
    const { app } = build();
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/things');
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
  });
});
