import { ValidationError } from '@helpdesk/kit';
import type { Context } from 'hono';

/** `"7"`, `W/"7"` or `7`: the ticket version a write is meant for; undefined without If-Match. */
export function ifMatchVersion(c: Context): number | undefined {
  const raw = c.req.header('if-match');
  if (raw === undefined || raw.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(raw);
  if (!m) {
    throw new ValidationError([{ path: 'If-Match', message: 'the ETag of a ticket read, such as "7"' }]);
  }
  return Number(m[1]);
}

export const etagOf = (version: number) => `"${version}"`;

/** Sets the ETag of the ticket just read or written. */
export function setEtag(c: Context, version: number): void {
  c.header('etag', etagOf(version));
}

/** True when the client's cached copy (If-None-Match) is still current; `*` matches any version. */
export function notModified(c: Context, version: number): boolean {
  const inm = c.req.header('if-none-match');
  if (!inm) return false;
  if (inm.trim() === '*') return true;
  return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etagOf(version));
}
