import { randomBytes } from 'node:crypto';

/**
 * `base` with its database replaced by a fresh one named `<prefix>_<random>`, so test files
 * never see each other's data. Query options (e.g. directConnection) are kept.
 */
export function uniqueDbUrl(base: string, prefix: string): string {
  const schemeEnd = base.indexOf('://');
  if (schemeEnd < 0) throw new Error(`not a MongoDB URL: "${base}"`);
  const queryStart = base.indexOf('?', schemeEnd);
  const query = queryStart < 0 ? '' : base.slice(queryStart);
  const withoutQuery = queryStart < 0 ? base : base.slice(0, queryStart);
  const pathStart = withoutQuery.indexOf('/', schemeEnd + 3);
  const server = pathStart < 0 ? withoutQuery : withoutQuery.slice(0, pathStart);
  // MongoDB database names: at most 63 bytes, none of /\. "$*<>:|?
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'test';
  return `${server}/${safePrefix}_${randomBytes(6).toString('hex')}${query}`;
}
