import { request } from 'undici';

/** For /readyz: without identity's keys no token can be checked, so the gateway is not ready. */
export async function jwksReachable(url: URL, timeoutMs = 2_000): Promise<void> {
  const res = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`JWKS answered ${res.statusCode}`);
  }
  const body = (await res.body.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys) || body.keys.length === 0) throw new Error('JWKS has no keys');
}

/**
 * `jwksReachable` with its outcome, pass or fail, kept for `ttlMs`: /readyz is public and not
 * rate limited, so without this every probe (or anyone flooding it) would cost identity a
 * request. Callers arriving while a check is under way share it.
 */
export function cachedJwksProbe(
  url: URL,
  opts: { ttlMs?: number; timeoutMs?: number; now?: () => number } = {},
): () => Promise<void> {
  const ttlMs = opts.ttlMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let last: { result: Promise<void>; at: number } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const result = jwksReachable(url, opts.timeoutMs);
      // Settled here too, so a failure nobody awaits yet is not an unhandled rejection.
      result.catch(() => undefined);
      last = { result, at: now() };
    }
    return last.result;
  };
}
