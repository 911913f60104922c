import { isDeepStrictEqual } from 'node:util';
import { isPublicRoute, type UpstreamName, upstreamFor } from './route-table.ts';

type Json = Record<string, unknown>;

export interface OpenApiDocument extends Json {
  paths?: Record<string, Json>;
  components?: Record<string, Json>;
  tags?: Array<{ name: string } & Json>;
}

export interface ServiceDocument {
  service: UpstreamName;
  doc: OpenApiDocument;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * One document for the whole public API. Only paths the gateway routes to the service that
 * documents them are kept (a service's internal routes stay private). Components with the same
 * name and content are shared; a clash is renamed after its service (`tickets_Error`) with the
 * service's `$ref`s rewritten. An operation that says nothing of security gets the gateway's
 * rule (a bearer token unless the route is public). Missing services are listed in
 * `x-unavailable-services`.
 */
export function mergeOpenApi(
  services: readonly ServiceDocument[],
  unavailable: readonly UpstreamName[],
  info: { title: string; version: string },
): OpenApiDocument {
  const paths: Record<string, Json> = {};
  const components: Record<string, Json> = {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  };
  const tags = new Map<string, { name: string } & Json>();

  for (const { service, doc } of services) {
    const renames = clashes(service, doc.components ?? {}, components);
    const own = renames.size ? (rewriteRefs(doc, renames) as OpenApiDocument) : doc;
    for (const [section, entries] of Object.entries(own.components ?? {})) {
      const target = components[section] ?? {};
      components[section] = target;
      for (const [name, value] of Object.entries(entries)) {
        target[renames.get(`${section}/${name}`) ?? name] ??= value;
      }
    }
    for (const [path, item] of Object.entries(own.paths ?? {})) {
      if (upstreamFor(path) !== service) continue;
      const merged = paths[path] ?? {};
      paths[path] = merged;
      for (const [key, op] of Object.entries(item)) {
        if (!HTTP_METHODS.has(key)) merged[key] = op;
        else if (merged[key] === undefined)
          merged[key] = withSecurity(op as Json, isPublicRoute(key.toUpperCase(), path));
      }
    }
    for (const tag of own.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }

  return {
    openapi: '3.1.0',
    info: { ...info, description: 'Every route of the helpdesk API, as served through the gateway.' },
    servers: [{ url: '/' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
    ...(tags.size ? { tags: [...tags.values()] } : {}),
    ...(unavailable.length ? { 'x-unavailable-services': [...unavailable] } : {}),
  };
}

function withSecurity(op: Json, isPublic: boolean): Json {
  if (!op || typeof op !== 'object' || 'security' in op) return op;
  return { ...op, security: isPublic ? [] : [{ bearer: [] }] };
}

/** Component names this service would define differently from what is already merged. */
function clashes(
  service: string,
  theirs: Record<string, Json>,
  ours: Record<string, Json>,
): Map<string, string> {
  const renames = new Map<string, string>();
  for (const [section, entries] of Object.entries(theirs)) {
    for (const [name, value] of Object.entries(entries)) {
      const existing = ours[section]?.[name];
      if (existing !== undefined && !isDeepStrictEqual(existing, value)) {
        renames.set(`${section}/${name}`, `${service}_${name}`);
      }
    }
  }
  return renames;
}

function rewriteRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renames));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) {
      const key = v.slice('#/components/'.length);
      const renamed = renames.get(key);
      out[k] = renamed ? `#/components/${key.slice(0, key.indexOf('/'))}/${renamed}` : v;
    } else {
      out[k] = rewriteRefs(v, renames);
    }
  }
  return out;
}
