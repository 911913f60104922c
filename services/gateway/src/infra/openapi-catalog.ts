import type { Logger } from '@helpdesk/kit';
import { mergeOpenApi, type OpenApiDocument, type ServiceDocument } from '../domain/merge-openapi.ts';
import { UPSTREAMS, type UpstreamName } from '../domain/route-table.ts';
import type { Upstreams } from './upstreams.ts';

export interface OpenApiCatalog {
  /** The merged document, rebuilt at most once per TTL; never fails because a service is down. */
  document(): Promise<OpenApiDocument>;
}

const FETCH_TIMEOUT_MS = 2_000;
/** A document missing a service is rebuilt sooner, so the service shows up soon after it starts. */
const DEGRADED_TTL_MS = 5_000;

export function createOpenApiCatalog(deps: {
  upstreams: Upstreams;
  ttlMs: number;
  logger: Logger;
  version: string;
  now?: () => number;
}): OpenApiCatalog {
  const now = deps.now ?? Date.now;
  // The last good document of each service outlives a failed refresh: stale beats missing.
  const lastGood = new Map<UpstreamName, OpenApiDocument>();
  let cached: { doc: OpenApiDocument; expiresAt: number } | undefined;
  let refreshing: Promise<OpenApiDocument> | undefined;

  async function fetchOne(name: UpstreamName): Promise<OpenApiDocument> {
    const { pool } = deps.upstreams[name];
    const res = await pool.request({
      path: '/openapi.json',
      method: 'GET',
      headers: { accept: 'application/json' },
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`status ${res.statusCode}`);
    }
    const doc = (await res.body.json()) as OpenApiDocument;
    if (!doc || typeof doc !== 'object' || typeof doc.paths !== 'object')
      throw new Error('not an OpenAPI document');
    return doc;
  }

  async function refresh(): Promise<OpenApiDocument> {
    const results = await Promise.allSettled(UPSTREAMS.map(fetchOne));
    const services: ServiceDocument[] = [];
    const unavailable: UpstreamName[] = [];
    results.forEach((r, i) => {
      const service = UPSTREAMS[i] as UpstreamName;
      if (r.status === 'fulfilled') lastGood.set(service, r.value);
      else deps.logger.warn({ service, err: r.reason }, 'cannot fetch the OpenAPI document of a service');
      const doc = lastGood.get(service);
      if (doc) services.push({ service, doc });
      else unavailable.push(service);
    });
    const doc = mergeOpenApi(services, unavailable, { title: 'Helpdesk API', version: deps.version });
    const complete = results.every((r) => r.status === 'fulfilled');
    cached = { doc, expiresAt: now() + (complete ? deps.ttlMs : Math.min(deps.ttlMs, DEGRADED_TTL_MS)) };
    return doc;
  }

  return {
    document() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.doc);
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
