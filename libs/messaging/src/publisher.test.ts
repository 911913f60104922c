import { describe, expect, it } from 'vitest';
import { makeEnvelope } from './envelope.ts';
import { publishProperties } from './publisher.ts';

describe('publishProperties', () => {
  it('makes the message persistent, keyed by the event id, with its routing data as headers', () => {
    const event = makeEnvelope({
      type: 'ticket.assigned',
      orgId: 'org-1',
      aggregateId: 'ticket-7',
      sequence: 4,
      actor: { type: 'user', id: 'admin-1', role: 'admin' },
      data: {},
      correlationId: 'req-1',
      causationId: 'evt-0',
      occurredAt: new Date('2026-05-01T10:00:00.900Z'),
    });
    expect(publishProperties(event, 'tickets')).toEqual({
      persistent: true,
      contentType: 'application/json',
      messageId: event.id,
      correlationId: 'req-1',
      type: 'ticket.assigned',
      appId: 'tickets',
      timestamp: Date.parse('2026-05-01T10:00:00Z') / 1000,
      headers: {
        'x-org-id': 'org-1',
        'x-aggregate-id': 'ticket-7',
        'x-sequence': 4,
        'x-causation-id': 'evt-0',
      },
    });
  });

  it('when a trace is given, then its traceparent and request id travel as headers', () => {
    const event = makeEnvelope({
      type: 'ticket.created',
      orgId: 'org-1',
      aggregateId: 'ticket-1',
      sequence: 1,
      actor: { type: 'system', id: 'test' },
      data: {},
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { headers } = publishProperties(event, 'tickets', { traceparent, requestId: 'req-1' });
    expect(headers).toMatchObject({ traceparent, 'x-request-id': 'req-1' });
    expect(publishProperties(event, 'tickets').headers).not.toHaveProperty('traceparent');
  });
});
