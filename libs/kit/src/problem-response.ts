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

/** Zod issues → our field list; paths are dotted (`items.0.name`), unknown keys get one entry each. */
export function zodFieldErrors(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>,
): FieldError[] {
  return issues.flatMap((i) => {
    const base = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys' && i.keys?.length) {
      return i.keys.map((k) => ({ path: base ? `${base}.${k}` : k, message: 'is not allowed here' }));
    }
    return [{ path: base || '(body)', message: i.message }];
  });
}
