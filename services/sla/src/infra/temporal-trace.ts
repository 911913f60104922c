import { currentTrace, formatTraceparent } from '@helpdesk/kit';
import { defaultPayloadConverter, type Payload, type WorkflowClientInterceptor } from '@temporalio/client';
import { TRACE_HEADERS } from '../workflows/trace.interceptors.ts';

/** The current trace as Temporal headers, added to what the call carries already. */
function withTrace(headers: Record<string, Payload>): Record<string, Payload> {
  const ctx = currentTrace();
  if (!ctx) return headers;
  const out: Record<string, Payload> = {
    ...headers,
    [TRACE_HEADERS.traceparent]: defaultPayloadConverter.toPayload(formatTraceparent(ctx)),
  };
  if (ctx.requestId) out[TRACE_HEADERS.requestId] = defaultPayloadConverter.toPayload(ctx.requestId);
  return out;
}

/**
 * Puts the trace of the event (or request) that starts or signals a workflow into the call's
 * Temporal headers. The workflow interceptors pass it on to the activities, which log and publish
 * under it, so a ticket's escalation event continues the trace of the change that armed it.
 */
export function traceClientInterceptor(): WorkflowClientInterceptor {
  return {
    start: (input, next) => next({ ...input, headers: withTrace(input.headers) }),
    signal: (input, next) => next({ ...input, headers: withTrace(input.headers) }),
    signalWithStart: (input, next) => next({ ...input, headers: withTrace(input.headers) }),
  };
}
