import { fileURLToPath } from 'node:url';
import { continueTrace, runWithTrace } from '@helpdesk/kit';
import { defaultPayloadConverter, type Payload } from '@temporalio/client';
import type { ActivityInboundCallsInterceptor, ActivityInterceptors } from '@temporalio/worker';
import { TRACE_HEADERS } from '../workflows/trace.interceptors.ts';

/** For the worker's `interceptors.workflowModules` and the bundle's `workflowInterceptorModules`. */
export const SLA_WORKFLOW_INTERCEPTORS_PATH = fileURLToPath(
  new URL('../workflows/trace.interceptors.ts', import.meta.url),
);

function text(payload: Payload | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs each activity in the trace its workflow got from the event that armed it (a span of its
 * own), so its log lines carry `trace_id` and the events it writes to the outbox go out under the
 * same trace. An activity without trace headers (a workflow started before this existed) starts one.
 */
export function activityTraceInterceptors(): ActivityInterceptors {
  const inbound: ActivityInboundCallsInterceptor = {
    execute(input, next) {
      const requestId = text(input.headers[TRACE_HEADERS.requestId]);
      const trace = continueTrace(text(input.headers[TRACE_HEADERS.traceparent]), requestId);
      return runWithTrace(trace, () => next(input));
    },
  };
  return { inbound };
}
