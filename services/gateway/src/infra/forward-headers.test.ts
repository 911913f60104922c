import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, readRequestHead, upstreamRequestHeaders } from './forward-headers.ts';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const FWD = {
  requestId: 'rid-12345678',
  traceparent: TP,
  tracestate: undefined,
  clientIp: '1.2.3.4',
  forwardedFor: '1.2.3.4',
  proto: 'http',
  host: 'api.test',
};

describe('readRequestHead', () => {
  it('reads the headers the gateway uses, whatever their case', () => {
    const head = readRequestHead([
      'Host',
      'api.test',
      'AUTHORIZATION',
      'Bearer x',
      'X-Request-Id',
      'rid-12345678',
      'Content-Length',
      '12',
      'X-Forwarded-For',
      '6.6.6.6',
      'x-forwarded-for',
      '7.7.7.7',
      'X-Forwarded-Proto',
      'https',
      'Connection',
      'keep-alive, X-Secret',
      'TraceParent',
      'from-caller',
      'tracestate',
      'a=1',
      'TraceState',
      'b=2',
    ]);
    expect(head).toMatchObject({
      traceparent: 'from-caller',
      tracestate: 'a=1,b=2',
      host: 'api.test',
      authorization: 'Bearer x',
      requestId: 'rid-12345678',
      contentLength: '12',
      forwardedFor: '6.6.6.6, 7.7.7.7',
      forwardedProto: 'https',
      transferEncoding: undefined,
    });
    expect([...(head.connectionTokens ?? [])]).toEqual(['x-secret']);
  });

  it('lists no connection tokens for a plain keep-alive', () => {
    expect(readRequestHead(['Connection', 'Keep-Alive']).connectionTokens).toBeUndefined();
  });
});

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop, listed and gateway-owned headers and adds the forwarding ones', () => {
    const raw = [
      'Host',
      'api.test',
      'Connection',
      'x-secret',
      'X-Secret',
      '1',
      'Keep-Alive',
      'timeout=5',
      'TE',
      'trailers',
      'Upgrade',
      'h2c',
      'Proxy-Authorization',
      'Basic x',
      'Expect',
      '100-continue',
      'X-Request-Id',
      'forged',
      'X-Forwarded-For',
      'forged',
      'Traceparent',
      'forged',
      'Tracestate',
      'forged=1',
      'Authorization',
      'Bearer t',
      'Accept',
      'application/json',
    ];
    expect(upstreamRequestHeaders(raw, readRequestHead(raw), FWD)).toEqual([
      'Authorization',
      'Bearer t',
      'Accept',
      'application/json',
      'x-request-id',
      'rid-12345678',
      'traceparent',
      TP,
      'x-client-ip',
      '1.2.3.4',
      'x-forwarded-for',
      '1.2.3.4',
      'x-forwarded-proto',
      'http',
      'x-forwarded-host',
      'api.test',
    ]);
  });
  it('drops forwarding and internal headers a caller made up, whatever their case', () => {
    const raw = [
      'X-Client-IP',
      '6.6.6.6',
      'X-Real-IP',
      '6.6.6.6',
      'Forwarded',
      'for=6.6.6.6',
      'X-Forwarded-Port',
      '443',
      'X-Forwarded-Prefix',
      '/admin',
      'X-Internal-Token',
      'guess',
      'Accept',
      '*/*',
    ];
    const out = upstreamRequestHeaders(raw, readRequestHead(raw), FWD);
    expect(out.filter((_, i) => i % 2 === 0)).toEqual([
      'Accept',
      'x-request-id',
      'traceparent',
      'x-client-ip',
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-forwarded-host',
    ]);
    expect(out[out.indexOf('x-client-ip') + 1]).toBe('1.2.3.4');
  });
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop headers, those listed in Connection, and those the gateway sets itself', () => {
    const raw = [
      'content-type',
      'application/json',
      'connection',
      'keep-alive, x-hop',
      'x-hop',
      '1',
      'keep-alive',
      'timeout=5',
      'transfer-encoding',
      'chunked',
      'x-request-id',
      'upstream-id',
      'ratelimit-remaining',
      '3',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
    ];
    expect(clientResponseHeaders(raw)).toEqual([
      'content-type',
      'application/json',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
    ]);
  });
});
