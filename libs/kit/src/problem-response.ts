import { PROBLEM_CONTENT_TYPE } from '@helpdesk/contracts';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type FieldError, toProblem } from './errors.ts';

/** Writes a problem+json response for any status, with the request id from the context. */
export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body = toProblem(status, code, detail, requestId, extra);
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    'content-type': PROBLEM_CONTENT_TYPE,
    ...headers,
  });
}

/** Zod issues → our field list; paths are dotted (`items.0.name`). */
export function zodFieldErrors(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): FieldError[] {
  return issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    message: i.message,
  }));
}
