// Header handling on the hot path works on Node's flat raw lists (`[name, value, ...]`) and only
// lower-cases a name whose length could make it one of ours: building Node's header object,
// or a Headers instance, for every forwarded request shows up in the GC profile.

/** RFC 9110 section 7.6.1: they describe one connection, never the next hop's. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** What the gateway sets itself, so a caller cannot smuggle them in. */
const REPLACED = new Set([
  'host',
  'expect',
  'x-request-id',
  'traceparent',
  'tracestate',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-client-ip',
]);

/**
 * Other forwarding headers a service or framework might believe: the gateway does not set them,
 * so a caller's would arrive looking as if a proxy had vouched for them. `x-internal-token` is
 * identity's service-to-service secret and never comes from outside.
 */
const SPOOFABLE = new Set([
  'x-real-ip',
  'forwarded',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-internal-token',
]);

/** Response headers the gateway writes itself: its request id and its own rate limits. */
const OWNED_IN_RESPONSE = new Set([
  'x-request-id',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
]);

const REQUEST_DROPS = new Set([...HOP_BY_HOP, ...REPLACED, ...SPOOFABLE]);
const RESPONSE_DROPS = new Set([...HOP_BY_HOP, ...OWNED_IN_RESPONSE]);
const lengthsOf = (names: Set<string>) => new Set([...names].map((n) => n.length));
const REQUEST_DROP_LENGTHS = lengthsOf(REQUEST_DROPS);
const RESPONSE_DROP_LENGTHS = lengthsOf(RESPONSE_DROPS);

/** The request headers the gateway itself looks at, read in one pass. */
export interface RequestHead {
  authorization: string | undefined;
  requestId: string | undefined;
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  host: string | undefined;
  forwardedFor: string | undefined;
  forwardedProto: string | undefined;
  forwardedHost: string | undefined;
  /** Names a sender listed in `Connection` besides keep-alive / close: hop-by-hop as well. */
  connectionTokens: Set<string> | undefined;
  /** W3C trace context, unchecked: the request context validates it. */
  traceparent: string | undefined;
  tracestate: string | undefined;
}

export function readRequestHead(raw: readonly string[]): RequestHead {
  const head: RequestHead = {
    authorization: undefined,
    requestId: undefined,
    contentLength: undefined,
    transferEncoding: undefined,
    host: undefined,
    forwardedFor: undefined,
    forwardedProto: undefined,
    forwardedHost: undefined,
    connectionTokens: undefined,
    traceparent: undefined,
    tracestate: undefined,
  };
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') head.host = value;
        break;
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') head.connectionTokens = connectionTokens(value, head.connectionTokens);
        // Several tracestate lines are one list (W3C Trace Context, section 3.3.1.1).
        else if (lower === 'tracestate')
          head.tracestate = head.tracestate ? `${head.tracestate},${value}` : value;
        break;
      }
      case 11:
        if (name.toLowerCase() === 'traceparent') head.traceparent = value;
        break;
      case 12:
        if (name.toLowerCase() === 'x-request-id') head.requestId = value;
        break;
      case 13:
        if (name.toLowerCase() === 'authorization') head.authorization = value;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') head.contentLength = value;
        break;
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') {
          head.forwardedFor = head.forwardedFor ? `${head.forwardedFor}, ${value}` : value;
        }
        break;
      case 16:
        if (name.toLowerCase() === 'x-forwarded-host') head.forwardedHost ??= value;
        break;
      case 17: {
        const lower = name.toLowerCase();
        if (lower === 'transfer-encoding') head.transferEncoding = value;
        else if (lower === 'x-forwarded-proto') head.forwardedProto ??= value;
        break;
      }
    }
  }
  return head;
}

function connectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return into;
  let tokens = into;
  for (const t of lower.split(',')) {
    const name = t.trim();
    if (name && name !== 'close' && name !== 'keep-alive') {
      tokens ??= new Set();
      tokens.add(name);
    }
  }
  return tokens;
}

export interface Forwarded {
  requestId: string;
  /** Names the gateway's span of the request as the service's parent. */
  traceparent: string;
  /** The caller's, passed on only with the caller's valid traceparent. */
  tracestate: string | undefined;
  /** The client address as the gateway worked it out (TRUST_PROXY hops honoured). */
  clientIp: string;
  forwardedFor: string;
  proto: string;
  host: string;
}

function dropped(
  name: string,
  drops: Set<string>,
  lengths: Set<number>,
  listed: Set<string> | undefined,
): boolean {
  if (!lengths.has(name.length) && !listed) return false;
  const lower = name.toLowerCase();
  return drops.has(lower) || listed?.has(lower) === true;
}

/** Request headers for the service: hop-by-hop and gateway-owned ones out, ours in. */
export function upstreamRequestHeaders(raw: readonly string[], head: RequestHead, fwd: Forwarded): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!dropped(name, REQUEST_DROPS, REQUEST_DROP_LENGTHS, head.connectionTokens))
      out.push(name, raw[i + 1] as string);
  }
  if (fwd.tracestate !== undefined) out.push('tracestate', fwd.tracestate);
  out.push(
    'x-request-id',
    fwd.requestId,
    'traceparent',
    fwd.traceparent,
    'x-client-ip',
    fwd.clientIp,
    'x-forwarded-for',
    fwd.forwardedFor,
    'x-forwarded-proto',
    fwd.proto,
    'x-forwarded-host',
    fwd.host,
  );
  return out;
}

/**
 * Response headers for the client (flat, as `writeHead` takes them) without hop-by-hop ones and
 * without those the gateway writes itself.
 */
export function clientResponseHeaders(raw: readonly string[]): string[] {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 10 && name.toLowerCase() === 'connection') {
      listed = connectionTokens(raw[i + 1] as string, listed);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!dropped(name, RESPONSE_DROPS, RESPONSE_DROP_LENGTHS, listed)) out.push(name, raw[i + 1] as string);
  }
  return out;
}
