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

/** Routes a caller uses to obtain a token, or to check one, cannot demand a token. */
const PUBLIC_PATHS = new Set(
  ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/jwks.json'].flatMap((p) => [
    p,
    `${p}/`,
  ]),
);
PUBLIC_PATHS.add('/.well-known/jwks.json');

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path);
}

const LOGOUT_PATHS = new Set(['/api/auth/logout', '/api/auth/logout/']);

export function isLogout(method: string, path: string): boolean {
  return method === 'POST' && LOGOUT_PATHS.has(path);
}

/**
 * `.` and `..` segments, also percent-encoded: a target the gateway would route by one path
 * while the service resolves another.
 */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?#]|$)/i;

export function hasDotSegment(target: string): boolean {
  return DOT_SEGMENT.test(target);
}
