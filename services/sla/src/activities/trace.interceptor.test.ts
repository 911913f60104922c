import { currentTrace } from '@helpdesk/kit';
import { defaultPayloadConverter } from '@temporalio/client';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { activityTraceInterceptors } from './trace.interceptor.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

async function traceInActivity(headers: ActivityExecuteInput['headers']) {
  const execute = activityTraceInterceptors().inbound?.execute;
  if (!execute) throw new Error('no inbound execute interceptor');
  return execute({ args: [], headers }, async () => currentTrace());
}

describe('activity trace interceptor', () => {
  it('when the activity carries its workflow trace, then it runs in a span of that trace with the request id', async () => {
    const trace = (await traceInActivity({
      traceparent: defaultPayloadConverter.toPayload(`00-${TRACE}-00f067aa0ba902b7-01`),
      'x-request-id': defaultPayloadConverter.toPayload('req-7'),
    })) as { traceId: string; spanId: string; requestId: string };
    expect(trace).toMatchObject({ traceId: TRACE, requestId: 'req-7' });
    expect(trace.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('when the activity has no trace headers, then it still runs in a trace of its own', async () => {
    const trace = (await traceInActivity({})) as { traceId: string } | undefined;
    expect(trace?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(currentTrace()).toBeUndefined();
  });
});
