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
