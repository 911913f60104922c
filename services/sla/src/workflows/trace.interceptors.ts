// Loaded into the workflow sandbox: deterministic, and type-only imports from the SDK.
import type {
  Next,
  Payload,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** Temporal header names the trace travels under; wire contracts, like signal names. */
export const TRACE_HEADERS = { traceparent: 'traceparent', requestId: 'x-request-id' } as const;

type Headers = Record<string, Payload>;

function traceOf(headers: Headers): Headers | null {
  const traceparent = headers[TRACE_HEADERS.traceparent];
  if (!traceparent) return null;
  const requestId = headers[TRACE_HEADERS.requestId];
  return requestId
    ? { [TRACE_HEADERS.traceparent]: traceparent, [TRACE_HEADERS.requestId]: requestId }
    : { [TRACE_HEADERS.traceparent]: traceparent };
}

/**
 * Carries the trace of the latest start or signal that brought one into the activities the
 * workflow schedules next (and into its next run). Headers are part of the history, so replays
 * see the same ones; the server does not compare activity headers, so adding them changes no
 * command a replay checks.
 */
export function interceptors(): WorkflowInterceptors {
  let trace: Headers = {};
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
      trace = traceOf(input.headers) ?? trace;
      return next(input);
    },
    handleSignal(input, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
      trace = traceOf(input.headers) ?? trace;
      return next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      return next({ ...input, headers: { ...trace, ...input.headers } });
    },
    scheduleLocalActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) {
      return next({ ...input, headers: { ...trace, ...input.headers } });
    },
    continueAsNew(input, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>) {
      return next({ ...input, headers: { ...trace, ...input.headers } });
    },
  };
  return { inbound: [inbound], outbound: [outbound] };
}
