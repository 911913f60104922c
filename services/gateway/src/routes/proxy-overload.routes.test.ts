import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, startStack } from '../../test/fakes.ts';
import { createUpstreams } from '../infra/upstreams.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Holds every answer of the tickets fake until released; records which upstream requests closed early. */
function holdTickets(s: Stack) {
  const held: ServerResponse[] = [];
  const closedEarly: string[] = [];
  s.fakes.tickets.handle = (req, res) => {
    held.push(res);
    res.on('close', () => {
      if (!res.writableFinished) closedEarly.push(req.url);
    });
    return true;
  };
  const release = () => {
    for (const res of held.splice(0)) if (!res.destroyed) res.end('{}');
  };
  return { held, closedEarly, release };
}

async function begin(s: Stack, path: string) {
  const token = await s.key.sign();
  const ctl = new AbortController();
  const res = fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
  res.catch(() => undefined);
  return { res, abort: () => ctl.abort() };
}

describe('a client that leaves', () => {
  it('cancels the upstream call still waiting for its head, and nothing is logged', async () => {
    stack = await startStack({ timeoutMs: 5_000 });
    const warn = vi.spyOn(stack.gateway.logger, 'warn');
    const error = vi.spyOn(stack.gateway.logger, 'error');
    const t = holdTickets(stack);
    const call = await begin(stack, '/api/tickets/slow/');
    await vi.waitFor(() => expect(t.held).toHaveLength(1));
    call.abort();
    await vi.waitFor(() => expect(t.closedEarly).toEqual(['/api/tickets/slow/']));
    await new Promise((r) => setTimeout(r, 50));
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    const metrics = await stack.gateway.metrics.registry.getSingleMetricAsString(
      'http_request_duration_seconds',
    );
    expect(metrics).toMatch(/route="tickets"[^}]*status="499"/);
  });

  it('never sends a request it left while queued', async () => {
    stack = await startStack({ timeoutMs: 5_000, connections: 1 });
    const t = holdTickets(stack);
    const first = await begin(stack, '/api/tickets/first/');
    await vi.waitFor(() => expect(t.held).toHaveLength(1));
    const queued = await begin(stack, '/api/tickets/queued/');
    await new Promise((r) => setTimeout(r, 50));
    queued.abort();
    await new Promise((r) => setTimeout(r, 50));
    t.release();
    expect((await first.res).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(stack.fakes.tickets.seen.map((s) => s.url)).toEqual(['/api/tickets/first/']);
  });
});

describe('a service whose connections are all busy', () => {
  it('refuses calls beyond the queue with 503 UPSTREAM_BUSY and Retry-After', async () => {
    stack = await startStack({ timeoutMs: 5_000, connections: 1, queueMax: 1 });
    const t = holdTickets(stack);
    const running = await begin(stack, '/api/tickets/a/');
    await vi.waitFor(() => expect(t.held).toHaveLength(1));
    const waiting = await begin(stack, '/api/tickets/b/');
    await new Promise((r) => setTimeout(r, 50));
    const refused = await (await begin(stack, '/api/tickets/c/')).res;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ code: 'UPSTREAM_BUSY' });
    // Other services have pools of their own.
    expect((await (await begin(stack, '/api/sla/policies/')).res).status).toBe(200);
    t.release();
    await vi.waitFor(() => expect(t.held.length + stack!.fakes.tickets.seen.length).toBeGreaterThan(1));
    t.release();
    expect((await running.res).status).toBe(200);
    expect((await waiting.res).status).toBe(200);
    stack.fakes.tickets.handle = undefined;
    expect((await (await begin(stack, '/api/tickets/d/')).res).status).toBe(200);
  });

  it('answers a queued call 504 once the upstream timeout passes, whatever holds the connection', async () => {
    stack = await startStack({ timeoutMs: 300, connections: 1 });
    // A body trickling in under the body timeout keeps the only connection busy for 1.5 s.
    stack.fakes.tickets.handle = (_req, res) => {
      res.writeHead(200);
      const tick = setInterval(() => res.write('.'), 100);
      setTimeout(() => {
        clearInterval(tick);
        res.end();
      }, 1_500);
      res.on('close', () => clearInterval(tick));
      return true;
    };
    const slow = await begin(stack, '/api/tickets/trickle/');
    await vi.waitFor(() => expect(stack!.fakes.tickets.seen).toHaveLength(1));
    const started = performance.now();
    const queued = await (await begin(stack, '/api/tickets/queued/')).res;
    expect(queued.status).toBe(504);
    expect(await queued.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(1_000);
    await (await slow.res).text();
  });
});

describe('closing the pools', () => {
  it('gives up on calls that outlast the grace period', async () => {
    const fake = await startFakeUpstream('tickets');
    fake.handle = () => true;
    const upstreams = createUpstreams(
      { identity: fake.url, tickets: fake.url, sla: fake.url, reporting: fake.url },
      { connections: 1, timeoutMs: 10_000 },
    );
    try {
      const running = upstreams.tickets.pool.request({ path: '/hang', method: 'GET' });
      const queued = upstreams.tickets.pool.request({ path: '/queued', method: 'GET' });
      // Both fail during close(); asserted below.
      running.catch(() => undefined);
      queued.catch(() => undefined);
      await vi.waitFor(() => expect(fake.seen).toHaveLength(1));
      const started = performance.now();
      await upstreams.close(100);
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(running).rejects.toThrow();
      await expect(queued).rejects.toThrow();
    } finally {
      await fake.close();
    }
  });
});
