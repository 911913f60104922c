import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address login throttling counts against. Behind the gateway (TRUST_PROXY) it is the last
 * entry of `x-forwarded-for`: the gateway passes on whatever the client sent there and appends
 * the peer address it saw, so only that last entry is not the client's own claim. Without a
 * proxy the whole header is the client's claim and is ignored.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (app.request) have no socket.
    return 'unknown';
  }
}
