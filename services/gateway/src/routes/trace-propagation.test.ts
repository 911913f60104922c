import { parseTraceparent } from '@helpdesk/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  token = await stack.key.sign();
});
afterAll(() => stack.close());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

async function forwardedTrace(headers: Record<string, string>) {
  const res = await fetch(`${stack.url}/api/tickets/`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  expect(res.status).toBe(200);
  const seen = stack.fakes.tickets.seen.at(-1)?.headers ?? {};
  return { res, seen, parent: parseTraceparent(seen.traceparent) };
}

describe('W3C trace context through the gateway', () => {
  it('when a caller sends a valid traceparent, then the service sees the same trace id under the gateway span', async () => {
    const { seen, parent } = await forwardedTrace({
      traceparent: `00-${TRACE}-${CALLER_SPAN}-01`,
      tracestate: 'vendor=abc',
      'x-request-id': 'req-trace-42',
    });
    expect(parent?.traceId).toBe(TRACE);
    expect(parent?.flags).toBe('01');
    expect(parent?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(parent?.spanId).not.toBe(CALLER_SPAN);
    expect(seen.tracestate).toBe('vendor=abc');
    expect(seen['x-request-id']).toBe('req-trace-42');
  });

  it.each([
    ['garbage', 'hello'],
    ['a zero trace id', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`],
    ['a forbidden version', `ff-${TRACE}-${CALLER_SPAN}-01`],
  ])(
    'when the traceparent is %s, then it is replaced by a new trace and its tracestate dropped',
    async (_, header) => {
      const { seen, parent } = await forwardedTrace({ traceparent: header, tracestate: 'vendor=abc' });
      expect(parent).not.toBeNull();
      expect(parent?.traceId).not.toBe(TRACE);
      expect(seen.traceparent).not.toContain(header);
      expect(seen.tracestate).toBeUndefined();
    },
  );

  it('when no traceparent comes in, then every request starts a trace of its own', async () => {
    const first = await forwardedTrace({});
    const second = await forwardedTrace({});
    expect(first.parent?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(second.parent?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.parent?.traceId).not.toBe(second.parent?.traceId);
    expect(first.seen['x-request-id']).toBe(first.res.headers.get('x-request-id'));
  });
});
