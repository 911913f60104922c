import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address login throttling counts against. Behind the gateway (TRUST_PROXY) it is
 * `x-client-ip`, which the gateway always overwrites with the client address it worked out
 * itself (honouring its own trusted proxies). The `x-forwarded-for` entries are no use here: the
 * last is the gateway's peer, which behind a load balancer is the balancer, so one client's
 * failures would throttle everyone; the earlier ones are the client's own claim. Without a proxy
 * the header is the client's claim too and is ignored.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const fromGateway = c.req.header('x-client-ip')?.trim();
    if (fromGateway) return fromGateway;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (app.request) have no socket.
    return 'unknown';
  }
}
