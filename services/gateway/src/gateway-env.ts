import type { AppEnv } from '@helpdesk/kit';
import type { HttpBindings } from '@hono/node-server';
import type { RateLimitDecision } from './domain/rate-limiter.ts';
import type { RequestHead } from './infra/forward-headers.ts';
import type { Upstream } from './infra/upstreams.ts';

/** The most restrictive limit that applied to a request, for its `RateLimit-*` headers. */
export interface AppliedRateLimit extends RateLimitDecision {
  policy: string;
}

export interface GatewayEnv {
  /** Absent when the app runs outside Node's HTTP server (`app.request()` in tests). */
  Bindings: Partial<HttpBindings>;
  Variables: AppEnv['Variables'] & {
    /** The request headers the gateway reads, parsed once. */
    head: RequestHead;
    upstream: Upstream;
    /** The socket peer: the caller, or the last proxy in front of us. */
    peer: string;
    /** The client's address: `peer`, or the `x-forwarded-for` entry the trusted proxies vouch for. */
    clientAddress: string;
    rateLimit: AppliedRateLimit;
    /** Status of a response written straight to the socket, for metrics. */
    sentStatus: number;
  };
}
