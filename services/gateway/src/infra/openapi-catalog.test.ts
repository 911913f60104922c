import { createLogger } from '@helpdesk/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { deadOrigin, type FakeUpstream, startFakeUpstream } from '../../test/fakes.ts';
import { createOpenApiCatalog } from './openapi-catalog.ts';
import { createUpstreams } from './upstreams.ts';

const logger = createLogger({ name: 'test', level: 'silent' });
const docOf = (path: string) => ({ openapi: '3.1.0', paths: { [path]: { get: { summary: path } } } });
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

async function setup(ttlMs: number) {
  const identity = await startFakeUpstream('identity', docOf('/api/auth/login/'));
  const tickets = await startFakeUpstream('tickets', docOf('/api/tickets/'));
  const dead = await deadOrigin();
  const upstreams = createUpstreams(
    { identity: identity.url, tickets: tickets.url, sla: dead, reporting: dead },
    { connections: 2, timeoutMs: 1_000 },
  );
  const clock = { now: 0 };
  const catalog = createOpenApiCatalog({ upstreams, ttlMs, logger, version: 't', now: () => clock.now });
  cleanup.push(
    () => upstreams.close(),
    () => identity.close(),
    () => tickets.close(),
  );
  return { catalog, clock, identity, tickets };
}

const paths = (doc: { paths?: object }) => Object.keys(doc.paths ?? {});

describe('OpenAPI catalog', () => {
  it('serves what answers and lists what does not', async () => {
    const { catalog } = await setup(60_000);
    const doc = await catalog.document();
    expect(paths(doc)).toEqual(['/api/auth/login/', '/api/tickets/']);
    expect(doc['x-unavailable-services']).toEqual(['sla', 'reporting']);
  });

  it('reuses one document within the TTL and one fetch for concurrent callers', async () => {
    const { catalog } = await setup(60_000);
    const [a, b] = await Promise.all([catalog.document(), catalog.document()]);
    expect(a).toBe(b);
    expect(await catalog.document()).toBe(a);
  });

  it('keeps the last good document of a service that went down', async () => {
    const { catalog, clock, tickets } = await setup(1_000);
    await catalog.document();
    await (tickets as FakeUpstream).close();
    clock.now += 10_000;
    const doc = await catalog.document();
    expect(paths(doc)).toContain('/api/tickets/');
  });
});
