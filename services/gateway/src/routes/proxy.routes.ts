import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Logger, RevocationList } from '@helpdesk/kit';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, Handler } from 'hono';
import type { Dispatcher } from 'undici';
import { isLogout } from '../domain/route-table.ts';
import type { GatewayEnv } from '../gateway-env.ts';
import { clientResponseHeaders, type RequestHead, upstreamRequestHeaders } from '../infra/forward-headers.ts';
import { upstreamFailure } from '../infra/upstreams.ts';
import { hasBody } from '../middleware/body-limit.middleware.ts';
import { flatHeaders, pushRateLimitHeaders } from '../middleware/request-context.middleware.ts';

export interface ProxyDeps {
  revocations: RevocationList;
  trustedHops: number;
  logger: Logger;
}

/** Statuses whose responses never have a body, so no stream may be attached to them. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Forwards the request to the service chosen by `routeRequest` over its keep-alive pool and
 * streams the answer back. Under Node the response goes straight to the socket: wrapping
 * undici's stream in a web `Response` only for node-server to unwrap it again costs CPU and
 * garbage on every request.
 * Outside Node (`app.request()`) and for HEAD, whose body Hono drops itself, it answers with a
 * web `Response`.
 */
export function proxy(deps: ProxyDeps): Handler<GatewayEnv> {
  const noteStreamError = (err: Error) => deps.logger.warn({ err }, 'upstream response stream failed');

  return async (c) => {
    const upstream = c.get('upstream');
    const head = c.get('head');
    const incoming = c.env?.incoming;
    const method = c.req.method;
    const target = originForm(incoming?.url ?? c.req.url);
    const headers = upstreamRequestHeaders(
      incoming?.rawHeaders ?? flatHeaders(c.req.raw.headers),
      head,
      forwarded(c, head, deps.trustedHops),
    );
    // Under Node an HTTP/1.1 body always announces itself; a constructed Request need not.
    const withBody = incoming ? hasBody(head.contentLength, head.transferEncoding) : c.req.raw.body !== null;
    const body = withBody ? await requestBody(c, head) : null;
    const outgoing = c.env?.outgoing;
    if (outgoing && method !== 'HEAD') {
      // undici writes the body straight into the socket's response: no Readable in between, and
      // either side failing tears down the other.
      let started = false;
      try {
        await upstream.pool.stream(
          { path: target, method, headers, body, responseHeaders: 'raw', opaque: outgoing },
          ({ statusCode, headers: raw }) => {
            started = true;
            c.set('sentStatus', statusCode);
            settled(c, statusCode, deps.revocations);
            outgoing.writeHead(statusCode, responseHeaders(c, raw as unknown as string[]));
            return outgoing;
          },
        );
      } catch (err) {
        // Once the head is written nothing may throw, or Hono would answer a second time.
        if (!started) throw upstreamFailure(upstream.name, err);
        // undici destroys `outgoing` before it rejects, so whether it is destroyed tells nothing;
        // only the premature close of the client's side means the client left, which is no fault.
        if ((err as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
          // The client got a cut-off body behind the upstream's status: a failure, not a success.
          c.set('sentStatus', 502);
          noteStreamError(err as Error);
        }
      }
      return RESPONSE_ALREADY_SENT;
    }

    let res: Dispatcher.ResponseData<null>;
    try {
      res = await upstream.pool.request({ path: target, method, headers, body, responseHeaders: 'raw' });
    } catch (err) {
      throw upstreamFailure(upstream.name, err);
    }
    settled(c, res.statusCode, deps.revocations);
    return webResponse(res, responseHeaders(c, res.headers as unknown as string[]), method);
  };
}

function responseHeaders(c: Context<GatewayEnv>, raw: string[]): string[] {
  const out = clientResponseHeaders(raw);
  out.push('x-request-id', c.get('requestId'));
  const rl = c.get('rateLimit');
  return rl ? pushRateLimitHeaders(out, rl) : out;
}

/** Logout through the gateway stops the token here at once, before identity's event arrives. */
function settled(c: Context<GatewayEnv>, status: number, revocations: RevocationList): void {
  if (status >= 300 || !isLogout(c.req.method, c.req.path)) return;
  const p = c.get('principal');
  if (!p) return;
  const until = p.exp * 1000;
  revocations.revokeToken(p.jti, until);
  if (p.sid) revocations.revokeSession(p.sid, until);
}

function forwarded(c: Context<GatewayEnv>, head: RequestHead, trustedHops: number) {
  const peer = c.get('peer') ?? 'unknown';
  const trusted = trustedHops > 0;
  return {
    requestId: c.get('requestId'),
    clientIp: c.get('clientAddress') ?? peer,
    forwardedFor: trusted && head.forwardedFor ? `${head.forwardedFor}, ${peer}` : peer,
    proto: (trusted && head.forwardedProto) || 'http',
    host: (trusted && head.forwardedHost) || head.host || '',
  };
}

/** A chunked body was buffered by the body limit and goes on with a length; others stream. */
async function requestBody(c: Context<GatewayEnv>, head: RequestHead): Promise<Buffer | Readable | null> {
  if (head.transferEncoding !== undefined) return Buffer.from(await c.req.arrayBuffer());
  const incoming = c.env?.incoming;
  if (incoming) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as NodeReadableStream) : null;
}

function webResponse(res: Dispatcher.ResponseData, raw: string[], method: string): Response {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i] as string, raw[i + 1] as string);
  if (method === 'HEAD' || NULL_BODY.has(res.statusCode)) {
    // Empty by definition: reading it to the end keeps the upstream connection reusable.
    res.body.dump().catch(() => undefined);
    return new Response(null, { status: res.statusCode, headers: h });
  }
  return new Response(Readable.toWeb(res.body) as ReadableStream, { status: res.statusCode, headers: h });
}

/**
 * The target for the service, always `path?query`. A client may send the absolute form
 * (`GET http://other-host/api/...`); passed on as sent, the service would see a host the
 * gateway never routed by. Node's server URL is origin-form in every other case, so the common
 * path costs one character check.
 */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 47) return target;
  const u = new URL(target);
  return u.pathname + u.search;
}
