import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { type AppEnv, createServiceApp } from './app.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { currentTrace, traceHeaders } from './trace-context.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function build() {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (s: string) => lines.push(JSON.parse(s)) };
  const logger = createLogger({ name: 't', level: 'info', destination });
  const metrics = createMetrics('t');
  const app = createServiceApp({ name: 't', logger, metrics });
  const tickets = new OpenAPIHono<AppEnv>();
  tickets.get('/api/tickets/:id/comments/', (c) => {
    c.get('log').info('listing comments');
    return c.json({ trace: currentTrace(), outgoing: traceHeaders() });
  });
  app.route('/', tickets);
  return { app, metrics, lines };
}

async function histogramRoutes(metrics: ReturnType<typeof createMetrics>): Promise<string[]> {
  const metric = await metrics.httpDuration.get();
  return [...new Set(metric.values.map((v) => String(v.labels.route)))].sort();
}

describe('request context', () => {
  it('when requests hit a route with ids, then the latency histogram is labelled with the pattern, not the path', async () => {
    const { app, metrics } = build();
    await app.request('/api/tickets/1/comments/');
    await app.request('/api/tickets/2/comments/');
    await app.request('/no/such/path/42');
    expect(await histogramRoutes(metrics)).toEqual(['/api/tickets/:id/comments/', 'unmatched']);
  });

  it('when a valid traceparent comes in, then the request runs in its trace under a span of its own', async () => {
    const { app, lines } = build();
    const res = await app.request('/api/tickets/7/comments/', {
      headers: { traceparent: PARENT, 'x-request-id': 'req-12345678' },
    });
    const body = (await res.json()) as {
      trace: { traceId: string; spanId: string; flags: string; requestId: string };
      outgoing: Record<string, string>;
    };
    expect(body.trace).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      flags: '01',
      requestId: 'req-12345678',
    });
    expect(body.trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(body.trace.spanId).not.toBe('00f067aa0ba902b7');
    // A call made from the request names this service's span as its parent.
    expect(body.outgoing).toEqual({
      traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${body.trace.spanId}-01`,
      'x-request-id': 'req-12345678',
    });
    expect(lines.find((l) => l.msg === 'listing comments')).toMatchObject({
      requestId: 'req-12345678',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: body.trace.spanId,
    });
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
  ])('when the traceparent is %s, then a new trace is started', async (_, header) => {
    const { app } = build();
    const res = await app.request('/api/tickets/7/comments/', { headers: { traceparent: header } });
    const { trace } = (await res.json()) as { trace: { traceId: string } };
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(trace.traceId).not.toBe('0'.repeat(32));
  });
});
