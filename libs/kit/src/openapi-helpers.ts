import { ProblemSchema } from '@helpdesk/contracts';
import type { RouteConfig } from '@hono/zod-openapi';

/**
 * System A's clients call its paths with and without the trailing slash. Both variants get the
 * same handler; the spec lists the slash form only.
 */
export function bothSlashes<R extends RouteConfig>(route: R): R[] {
  const bare = route.path.replace(/\/+$/, '');
  return bare === route.path ? [route] : [route, { ...route, path: bare, hide: true }];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (problem+json lists the fields).',
  401: 'No valid access token (or bad credentials).',
  403: 'The caller may not do this.',
  404: "No such resource in the caller's org.",
  409: 'Conflicts with existing data or the current state (problem+json says what is allowed).',
  412: 'If-Match names a version that is no longer current.',
  413: 'The body or file is too large.',
  415: 'The file type is not accepted.',
  422: 'The Idempotency-Key was used with a different request.',
  429: 'Too many attempts; see Retry-After.',
};

/** problem+json responses for the given statuses, for a route's `responses`. */
export function problems(...statuses: (keyof typeof DESCRIPTIONS)[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: DESCRIPTIONS[s] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

export const bearer = [{ bearer: [] }];

export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
