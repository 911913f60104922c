import type { Payload } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { interceptors } from './trace.interceptors.ts';

const payload = (s: string): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(s)),
});
const decode = (p: Payload | undefined) =>
  p?.data ? JSON.parse(new TextDecoder().decode(p.data)) : undefined;

type AnyInput = { headers: Record<string, Payload> } & Record<string, unknown>;
type AnyNext = (input: AnyInput) => Promise<unknown>;

/** Runs the interceptors as the SDK would: an inbound call, then the activity it schedules. */
function workflowUnderTest() {
  const { inbound, outbound } = interceptors();
  const into = inbound?.[0] as unknown as Record<
    string,
    (input: AnyInput, next: AnyNext) => Promise<unknown>
  >;
  const out = outbound?.[0] as unknown as Record<
    string,
    (input: AnyInput, next: AnyNext) => Promise<unknown>
  >;
  const pass: AnyNext = async () => undefined;
  return {
    execute: (headers: Record<string, Payload>) => into.execute?.({ headers, args: [] }, pass),
    signal: (headers: Record<string, Payload>) =>
      into.handleSignal?.({ headers, signalName: 's', args: [] }, pass),
    async scheduledHeaders(kind = 'scheduleActivity'): Promise<Record<string, Payload>> {
      let seen: Record<string, Payload> = {};
      await out[kind]?.({ headers: {}, activityType: 'recordEffects', args: [] }, async (input) => {
        seen = input.headers;
      });
      return seen;
    },
  };
}

describe('workflow trace interceptors', () => {
  it('when a workflow starts with trace headers, then the activities it schedules carry them', async () => {
    const wf = workflowUnderTest();
    await wf.execute({
      traceparent: payload('00-aa-bb-01'),
      'x-request-id': payload('req-1'),
      other: payload('x'),
    });
    const headers = await wf.scheduledHeaders();
    expect(decode(headers.traceparent)).toBe('00-aa-bb-01');
    expect(decode(headers['x-request-id'])).toBe('req-1');
    expect(headers).not.toHaveProperty('other');
    expect(decode((await wf.scheduledHeaders('continueAsNew')).traceparent)).toBe('00-aa-bb-01');
  });

  it('when a later signal brings another trace, then the next activities follow it; a signal without one changes nothing', async () => {
    const wf = workflowUnderTest();
    await wf.execute({ traceparent: payload('00-aa-bb-01') });
    await wf.signal({ traceparent: payload('00-cc-dd-01') });
    expect(decode((await wf.scheduledHeaders()).traceparent)).toBe('00-cc-dd-01');
    await wf.signal({});
    expect(decode((await wf.scheduledHeaders('scheduleLocalActivity')).traceparent)).toBe('00-cc-dd-01');
  });

  it('when no trace ever came, then activities are scheduled without trace headers', async () => {
    const wf = workflowUnderTest();
    await wf.execute({});
    expect(await wf.scheduledHeaders()).toEqual({});
  });
});
