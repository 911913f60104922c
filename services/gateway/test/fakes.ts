import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createLogger, createMetrics, createTokenVerifier, RevocationList, serveApp } from '@helpdesk/kit';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { createApp, type GatewayLimits } from '../src/app.ts';
import type { UpstreamName } from '../src/domain/route-table.ts';
import { createOpenApiCatalog } from '../src/infra/openapi-catalog.ts';
import { createUpstreams } from '../src/infra/upstreams.ts';

export const ISSUER = 'helpdesk-identity';
export const AUDIENCE = 'helpdesk';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type FakeHandler = (req: SeenRequest, res: ServerResponse) => boolean | undefined;

export interface FakeUpstream {
  url: string;
  seen: SeenRequest[];
  /** Answers a request before the default echo; return true when it did. */
  handle: FakeHandler | undefined;
  close(): Promise<void>;
}

/** A service stand-in that records what reaches it and echoes it back as JSON. */
export async function startFakeUpstream(name: string, openapi?: object): Promise<FakeUpstream> {
  const fake: FakeUpstream = { url: '', seen: [], handle: undefined, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    if (req.url === '/openapi.json' && openapi) return void res.end(JSON.stringify(openapi));
    fake.seen.push(seen);
    if (fake.handle?.(seen, res)) return;
    res.writeHead(200, { 'content-type': 'application/json', 'x-service': name, 'keep-alive': 'timeout=5' });
    res.end(JSON.stringify({ service: name, method: seen.method, url: seen.url, bytes: seen.body.length }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return fake;
}

/** Identity's signing key as the gateway sees it: a JWKS, and a way to mint tokens with it. */
export async function createSigningKey(kid = 'test-key') {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  let seq = 0;
  const sign = (
    claims: JWTPayload = {},
    opts: { expiresIn?: string | number; key?: Parameters<SignJWT['sign']>[0] } = {},
  ) => {
    seq += 1;
    return new SignJWT({ org: 'default', role: 'user', sid: `sid-${seq}`, ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer((claims.iss as string | undefined) ?? ISSUER)
      .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
      .setSubject((claims.sub as string | undefined) ?? `user-${seq}`)
      .setJti(`jti-${seq}`)
      .setIssuedAt(claims.iat)
      .setExpirationTime(opts.expiresIn ?? '15m')
      .sign(opts.key ?? privateKey);
  };
  return { jwks: { keys: [jwk] }, publicKey, sign };
}

export const TEST_LIMITS: GatewayLimits = {
  windowMs: 60_000,
  ipMax: 10_000,
  userMax: 10_000,
  bodyBytes: 1024 * 1024,
  trustedHops: 0,
};

export interface TestGatewayOptions {
  jwksUrl: string;
  limits?: Partial<GatewayLimits>;
  timeoutMs?: number;
  now?: () => number;
  connections?: number;
  queueMax?: number;
}

/** The gateway app as main.ts builds it, with fakes for the broker-fed parts. */
export function createTestApp(origins: Record<UpstreamName, string>, opts: TestGatewayOptions) {
  const logger = createLogger({ name: 'gateway', level: 'silent' });
  const metrics = createMetrics('gateway');
  const revocations = new RevocationList();
  const verifier = createTokenVerifier({
    jwks: new URL(opts.jwksUrl),
    issuer: ISSUER,
    audience: AUDIENCE,
    revocations,
  });
  const upstreams = createUpstreams(origins, {
    connections: opts.connections ?? 16,
    timeoutMs: opts.timeoutMs ?? 5_000,
    ...(opts.queueMax !== undefined ? { queueMax: opts.queueMax } : {}),
  });
  const app = createApp({
    logger,
    metrics,
    verifier,
    upstreams,
    readiness: {},
    catalog: createOpenApiCatalog({ upstreams, ttlMs: 60_000, logger, version: 'test' }),
    limits: { ...TEST_LIMITS, ...opts.limits },
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { app, logger, metrics, revocations, upstreams };
}

/** A real gateway on a free port in front of the given upstreams (a dead port stands for "down"). */
export async function startGateway(origins: Record<UpstreamName, string>, opts: TestGatewayOptions) {
  const { app, logger, metrics, revocations, upstreams } = createTestApp(origins, opts);
  const server = await serveApp({
    app,
    port: 0,
    host: '127.0.0.1',
    logger,
    handleSignals: false,
    timeoutMs: 1_000,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    upstreams,
    revocations,
    metrics,
    logger,
    async close() {
      await server.shutdown('test');
      await upstreams.close();
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function deadOrigin(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Four fake services (identity also serving the JWKS) behind a real gateway. */
export async function startStack(
  opts: {
    limits?: Partial<GatewayLimits>;
    down?: UpstreamName[];
    timeoutMs?: number;
    connections?: number;
    queueMax?: number;
    openapi?: Partial<Record<UpstreamName, object>>;
  } = {},
) {
  const key = await createSigningKey();
  const fakes = {} as Record<UpstreamName, FakeUpstream>;
  const origins = {} as Record<UpstreamName, string>;
  for (const name of ['identity', 'tickets', 'sla', 'reporting'] as const) {
    fakes[name] = await startFakeUpstream(name, opts.openapi?.[name]);
    origins[name] = opts.down?.includes(name) ? await deadOrigin() : fakes[name].url;
  }
  const jwks = await startFakeUpstream('jwks');
  jwks.handle = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(key.jwks));
    return true;
  };
  const gateway = await startGateway(origins, {
    jwksUrl: `${jwks.url}/api/auth/jwks.json`,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.connections ? { connections: opts.connections } : {}),
    ...(opts.queueMax !== undefined ? { queueMax: opts.queueMax } : {}),
  });
  return {
    key,
    fakes,
    gateway,
    url: gateway.url,
    async close() {
      await gateway.close();
      await Promise.all([...Object.values(fakes), jwks].map((f) => f.close()));
    },
  };
}

/**
 * Sends bytes exactly as given (HTTP clients normalise paths and drop `Connection` tokens,
 * which is what some tests must not have) and reads one response to its end.
 */
export async function rawRequest(
  baseUrl: string,
  head: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { port } = new URL(baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`${head.replaceAll('\n', '\r\n')}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  const [headPart = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = headPart.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
