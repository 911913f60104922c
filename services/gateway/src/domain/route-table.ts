export const UPSTREAMS = ['identity', 'tickets', 'sla', 'reporting'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

/**
 * Which service owns a path, by segment-aware prefix (so `/api/authx` is nobody's). Order
 * matters: a ticket's SLA lives in the sla service although it sits under `/api/tickets/`.
 */
const PREFIXES: ReadonlyArray<readonly [prefix: string, upstream: UpstreamName]> = [
  ['/api/auth', 'identity'],
  ['/.well-known/jwks.json', 'identity'],
  ['/api/tickets', 'tickets'],
  ['/api/categories', 'tickets'],
  ['/api/assignment-rules', 'tickets'],
  ['/api/helpdesk', 'tickets'],
  ['/api/sla', 'sla'],
  ['/api/reports', 'reporting'],
];

const TICKET_SLA = /^\/api\/tickets\/[^/]+\/sla(?:\/|$)/;

function underPrefix(path: string, prefix: string): boolean {
  return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);
}

export function upstreamFor(path: string): UpstreamName | undefined {
  for (const [prefix, upstream] of PREFIXES) {
    if (!underPrefix(path, prefix)) continue;
    if (upstream === 'tickets' && prefix === '/api/tickets' && TICKET_SLA.test(path)) return 'sla';
    return upstream;
  }
  return undefined;
}

/**
 * Routes a caller uses to obtain a token, or to check one, cannot demand a token; only for the
 * methods those routes answer, so another method on the same path (a service's future `GET
 * /api/auth/login/` or `DELETE /api/auth/register/`) is not public by accident. OPTIONS goes
 * with the POST routes because a browser's CORS preflight never carries the token.
 */
const ISSUING = new Set(['POST', 'OPTIONS']);
const READING = new Set(['GET', 'HEAD']);
const PUBLIC_ROUTES = new Map<string, ReadonlySet<string>>();
for (const p of ['/api/auth/register', '/api/auth/login', '/api/auth/refresh']) {
  PUBLIC_ROUTES.set(p, ISSUING).set(`${p}/`, ISSUING);
}
for (const p of ['/api/auth/jwks.json', '/api/auth/jwks.json/', '/.well-known/jwks.json']) {
  PUBLIC_ROUTES.set(p, READING);
}

export function isPublicRoute(method: string, path: string): boolean {
  return PUBLIC_ROUTES.get(path)?.has(method) === true;
}

const LOGOUT_PATHS = new Set(['/api/auth/logout', '/api/auth/logout/']);

export function isLogout(method: string, path: string): boolean {
  return method === 'POST' && LOGOUT_PATHS.has(path);
}

/**
 * `.` and `..` segments, also percent-encoded: a target the gateway would route by one path
 * while the service resolves another. Only the path counts: a query such as `?q=a/./b` is data.
 */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;

/** `target` is the request target as sent (origin-form or absolute-form, query included). */
export function hasDotSegment(target: string): boolean {
  const end = target.search(/[?#]/);
  return DOT_SEGMENT.test(end === -1 ? target : target.slice(0, end));
}
