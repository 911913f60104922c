import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
type MergedDoc = {
  paths: Record<string, Record<string, { security?: unknown }>>;
  components: { schemas: Record<string, unknown> };
  'x-unavailable-services'?: string[];
};
let stack: Stack;

const Problem = { type: 'object', properties: { code: { type: 'string' } } };
const op = (summary: string) => ({ summary, responses: { '200': { description: 'ok' } } });

beforeAll(async () => {
  stack = await startStack({
    down: ['sla'],
    openapi: {
      identity: {
        openapi: '3.1.0',
        paths: {
          '/api/auth/login/': { post: op('Log in') },
          '/api/auth/profile/': { get: op('Profile') },
          '/internal/keys': { get: op('private') },
        },
        components: { schemas: { Problem } },
      },
      tickets: {
        openapi: '3.1.0',
        paths: { '/api/tickets/': { get: op('List tickets') } },
        components: { schemas: { Problem } },
      },
      reporting: { openapi: '3.1.0', paths: { '/api/reports/stats/': { get: op('Stats') } } },
    },
  });
});
afterAll(() => stack.close());

describe('GET /openapi.json', () => {
  it('merges the services that answer and names the one that does not', async () => {
    const res = await fetch(`${stack.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as MergedDoc;
    expect(Object.keys(doc.paths)).toEqual([
      '/api/auth/login/',
      '/api/auth/profile/',
      '/api/reports/stats/',
      '/api/tickets/',
    ]);
    expect(doc['x-unavailable-services']).toEqual(['sla']);
    expect(doc.components.schemas.Problem).toEqual(Problem);
    expect(doc.paths['/api/auth/login/']?.post?.security).toEqual([]);
    expect(doc.paths['/api/auth/profile/']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('needs no token', async () => {
    expect((await fetch(`${stack.url}/openapi.json`)).status).toBe(200);
  });
});

describe('documentation pages', () => {
  it.each([
    ['/swagger/', 'swagger-ui-bundle.js'],
    ['/redoc/', 'redoc.standalone.js'],
  ])('%s is served with a strict CSP and refers only to local assets', async (page, script) => {
    const res = await fetch(`${stack.url}${page}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`src="${script}"`);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it.each([
    '/swagger/swagger-ui-bundle.js',
    '/swagger/swagger-ui-standalone-preset.js',
    '/swagger/swagger-ui.css',
    '/swagger/init.js',
    '/redoc/redoc.standalone.js',
  ])('serves %s itself', async (asset) => {
    const res = await fetch(`${stack.url}${asset}`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('redirects the pages without a trailing slash', async () => {
    const res = await fetch(`${stack.url}/swagger`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/swagger/');
  });

  it('serves no other file', async () => {
    expect((await fetch(`${stack.url}/swagger/package.json`)).status).toBe(404);
    expect((await fetch(`${stack.url}/swagger/..%2f..%2fpackage.json`)).status).toBe(404);
  });
});
