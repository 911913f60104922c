import { describe, expect, it } from 'vitest';
import { makeEnvelope } from './envelope.ts';
import { outboxEntries } from './outbox.ts';
import {
  childSpan,
  continueTrace,
  currentTrace,
  formatTraceparent,
  parseTraceparent,
  runWithoutTrace,
  runWithTrace,
  startTrace,
  traceLogFields,
} from './trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('parseTraceparent', () => {
  it('when the header is a valid version-00 traceparent, then it gives its trace id, parent id and flags', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: '01' });
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: '01' })).toBe(VALID);
  });

  it('when a later version appends fields, then the known part is still read', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-00-extra`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      flags: '00',
    });
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['too short', `00-${TRACE}-${SPAN}-1`],
    ['upper case', VALID.toUpperCase()],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra fields', `${VALID}-x`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['not hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ])('when it is %s, then it is rejected', (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe('trace continuation', () => {
  it('when a trace is continued, then the trace id and flags stay and the span id is new', () => {
    const next = continueTrace(VALID, 'req-1');
    expect(next).toMatchObject({ traceId: TRACE, flags: '01', requestId: 'req-1' });
    expect(next.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(next.spanId).not.toBe(SPAN);
    expect(childSpan(next).spanId).not.toBe(next.spanId);
  });

  it('when the header is malformed, then a new sampled trace starts', () => {
    const next = continueTrace('00-bogus', 'req-2');
    expect(next.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(next.traceId).not.toBe(TRACE);
    expect(next).toMatchObject({ flags: '01', requestId: 'req-2' });
  });

  it('when code runs in a trace, then log fields and outbox entries carry it; outside, nothing does', async () => {
    const trace = startTrace('req-3');
    const event = makeEnvelope({
      type: 'ticket.created',
      orgId: 'o',
      aggregateId: 'a',
      sequence: 1,
      actor: { type: 'system', id: 't' },
      data: {},
    });
    await runWithTrace(trace, async () => {
      await Promise.resolve();
      expect(currentTrace()).toBe(trace);
      expect(traceLogFields()).toEqual({ trace_id: trace.traceId, span_id: trace.spanId });
      expect(outboxEntries(event)[0]).toMatchObject({
        traceparent: formatTraceparent(trace),
        requestId: 'req-3',
      });
      runWithoutTrace(() => expect(currentTrace()).toBeUndefined());
    });
    expect(traceLogFields()).toEqual({});
    expect(outboxEntries(event)[0]).not.toHaveProperty('traceparent');
  });
});
