import { continueTrace, currentTrace, outgoingTraceHeaders, type TraceContext } from '@helpdesk/messaging';

export type { TraceContext, TraceHeaders } from '@helpdesk/messaging';
export {
  childSpan,
  continueTrace,
  currentTrace,
  formatTraceparent,
  outgoingTraceHeaders,
  parseTraceparent,
  runWithTrace,
  startTrace,
} from '@helpdesk/messaging';

/**
 * The trace of an incoming request: the caller's `traceparent` continued with a span of this
 * service, or a new trace when it is missing or malformed (the gateway always sends one).
 */
export function traceOfRequest(traceparent: string | undefined, requestId: string): TraceContext {
  return continueTrace(traceparent, requestId);
}

/**
 * Headers for a call to another service made while handling a request or a message, so the callee
 * logs under the same trace and request id: `fetch(url, { headers: { ...traceHeaders(), ... } })`.
 */
export function traceHeaders(): Record<string, string> {
  return { ...(outgoingTraceHeaders(currentTrace()) ?? {}) };
}
