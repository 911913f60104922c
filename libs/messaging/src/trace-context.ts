import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) without a tracing SDK: enough to tie
 * a request's log lines, the events it publishes, their consumers and the workflows they start to
 * one trace id. It lives here, below the kit, because the publisher and the consumers need it too.
 */
export interface TraceContext {
  /** 32 lower-case hex digits, never all zeros. */
  traceId: string;
  /** This process's span: 16 lower-case hex digits, never all zeros. */
  spanId: string;
  /** `01` when the caller sampled the trace; passed on unchanged. */
  flags: string;
  /** The request that started the work, when there was one (x-request-id). */
  requestId?: string | undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The parent a `traceparent` header names, or null when it is missing or malformed. */
export function parseTraceparent(header: unknown): Omit<TraceContext, 'requestId'> | null {
  if (typeof header !== 'string' || header.length < 55 || header.length > 512) return null;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is forbidden; version 00 has nothing after the flags. Later versions may append
  // fields, which a 00 parser ignores (section 4.3).
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, flags };
}

export function formatTraceparent(ctx: Pick<TraceContext, 'traceId' | 'spanId' | 'flags'>): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

// Ids are made on every request the gateway forwards: one pooled buffer refilled now and then
// costs far less than a crypto call per id.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const hex = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    if (hex !== zero) return hex;
  }
}

export const newSpanId = (): string => randomHex(8, ZERO_SPAN);

/** A new trace, sampled: nothing downstream drops it. */
export function startTrace(requestId?: string): TraceContext {
  return { traceId: randomHex(16, ZERO_TRACE), spanId: newSpanId(), flags: '01', requestId };
}

/** A span of `parent`'s trace: same trace id and flags, a span id of its own. */
export function childSpan(
  parent: Pick<TraceContext, 'traceId' | 'flags'> & { requestId?: string | undefined },
  requestId = parent.requestId,
): TraceContext {
  return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags, requestId };
}

/** Continues the trace a `traceparent` header names, or starts one when it is missing or malformed. */
export function continueTrace(header: unknown, requestId?: string): TraceContext {
  const parent = parseTraceparent(header);
  return parent ? childSpan(parent, requestId) : startTrace(requestId);
}

// One store per process even if two copies of this module get loaded (a bundler, a test runner).
const STORE = Symbol.for('helpdesk.trace-context');
const registry = globalThis as { [STORE]?: AsyncLocalStorage<TraceContext> };
registry[STORE] ??= new AsyncLocalStorage<TraceContext>();
const storage: AsyncLocalStorage<TraceContext> = registry[STORE];

/** The trace of the request, message or activity this code runs for, if any. */
export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runWithTrace<T>(ctx: TraceContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** For work merely triggered by a request (a relay round) that must not log as part of its trace. */
export function runWithoutTrace<T>(fn: () => T): T {
  return storage.exit(fn);
}

/**
 * For pino's `mixin`: every line logged while a trace is current carries its ids, whichever
 * logger wrote it (a use case's, a repository's, the root one).
 */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const ctx = storage.getStore();
  return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

/**
 * What travels to the next hop: a `traceparent` whose parent id is this process's span (the one its
 * log lines name in `span_id`), and the request id.
 */
export interface TraceHeaders {
  traceparent: string;
  'x-request-id'?: string;
}

export function outgoingTraceHeaders(ctx = currentTrace()): TraceHeaders | undefined {
  if (!ctx) return undefined;
  const headers: TraceHeaders = { traceparent: formatTraceparent(ctx) };
  if (ctx.requestId) headers['x-request-id'] = ctx.requestId;
  return headers;
}
