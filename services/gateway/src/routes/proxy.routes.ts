import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Logger, RevocationList } from '@helpdesk/kit';
import { AppError, formatTraceparent, startTrace } from '@helpdesk/kit';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, Handler } from 'hono';
import { type Dispatcher, errors } from 'undici';
import { isLogout } from '../domain/route-table.ts';
import type { GatewayEnv } from '../gateway-env.ts';
import { clientResponseHeaders, type RequestHead, upstreamRequestHeaders } from '../infra/forward-headers.ts';
import { type Upstream, upstreamBusy, upstreamFailure, upstreamTimeout } from '../infra/upstreams.ts';
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
    // Gone while the request was being checked or its body read: there is nobody to answer.
    if (outgoing?.destroyed) {
      c.set('sentStatus', CLIENT_CLOSED);
      return RESPONSE_ALREADY_SENT;
    }
    // Every connection busy and the queue behind them full: waiting longer helps nobody.
    if (upstream.inFlight >= upstream.maxInFlight) throw upstreamBusy(upstream.name);
    const queued = upstream.inFlight >= upstream.connections;
    // undici takes any emitter of 'abort' as a signal. The client's own response is one, so
    // cancelling on disconnect costs no AbortController per request; a queued call outside
    // Node gets an emitter of its own for its deadline.
    const signal = outgoing ?? (queued ? new EventEmitter() : undefined);
    outgoing?.on('close', abortUnlessFinished);
    upstream.inFlight++;
    try {
      if (outgoing && method !== 'HEAD') {
        // undici writes the body straight into the socket's response: no Readable in between, and
        // either side failing tears down the other.
        let started = false;
        try {
          const call = upstream.pool.stream(
            {
              path: target,
              method,
              headers,
              body,
              responseHeaders: 'raw',
              opaque: outgoing,
              signal: outgoing,
            },
            ({ statusCode, headers: raw }) => {
              started = true;
              c.set('sentStatus', statusCode);
              settled(c, statusCode, deps.revocations);
              outgoing.writeHead(statusCode, responseHeaders(c, raw as unknown as string[]));
              return outgoing;
            },
          );
          await (queued ? boundQueueWait(call, outgoing, upstream, () => started) : call);
        } catch (err) {
          if (clientLeft(err)) {
            // Past the head the upstream's status stands, as for any client leaving mid-body.
            if (!started) c.set('sentStatus', CLIENT_CLOSED);
            return RESPONSE_ALREADY_SENT;
          }
          // Once the head is written nothing may throw, or Hono would answer a second time.
          if (!started) throw err instanceof AppError ? err : upstreamFailure(upstream.name, err);
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
        const call = upstream.pool.request({
          path: target,
          method,
          headers,
          body,
          responseHeaders: 'raw',
          signal,
        });
        res = await (signal && queued ? boundQueueWait(call, signal, upstream, never) : call);
      } catch (err) {
        if (outgoing && clientLeft(err)) {
          c.set('sentStatus', CLIENT_CLOSED);
          return RESPONSE_ALREADY_SENT;
        }
        throw err instanceof AppError ? err : upstreamFailure(upstream.name, err);
      }
      settled(c, res.statusCode, deps.revocations);
      return webResponse(res, responseHeaders(c, res.headers as unknown as string[]), method);
    } finally {
      upstream.inFlight--;
    }
  };
}

/** The status metrics record for a client that left before its answer (nginx's convention). */
const CLIENT_CLOSED = 499;

const never = () => false;

/**
 * `close` on the client's response: before the response is complete it means the client left,
 * so the upstream call is cancelled (a queued one is then never sent). A plain function, bound
 * by the emitter, so listening costs no closure per request.
 */
function abortUnlessFinished(this: ServerResponse): void {
  if (!this.writableFinished) this.emit('abort');
}

/** undici's own error for a cancelled call: only `abortUnlessFinished` cancels one. */
function clientLeft(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'UND_ERR_ABORTED';
}

/**
 * The wait of a call that found every connection busy. undici's timeouts only start once a call
 * is on a socket, and a cancelled call stays in the queue until a connection frees up, so this
 * bounds the wait for a response head by the upstream timeout and stops waiting as soon as the
 * client leaves. Only the overloaded path pays for the timer and the promise.
 */
function boundQueueWait<T>(
  call: Promise<T>,
  signal: EventEmitter,
  upstream: Upstream,
  started: () => boolean,
) {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (started()) return;
      done();
      reject(new errors.RequestAbortedError());
    };
    const timer = setTimeout(() => {
      if (started()) return;
      done();
      signal.emit('abort');
      reject(upstreamTimeout(upstream.name));
    }, upstream.timeoutMs);
    const done = () => {
      clearTimeout(timer);
      signal.removeListener('abort', onAbort);
    };
    signal.on('abort', onAbort);
    call.then(
      (v) => {
        done();
        resolve(v);
      },
      (err) => {
        done();
        reject(err);
      },
    );
  });
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
  const requestId = c.get('requestId');
  return {
    requestId,
    traceparent: formatTraceparent(c.get('trace') ?? startTrace(requestId)),
    tracestate: head.tracestate,
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
