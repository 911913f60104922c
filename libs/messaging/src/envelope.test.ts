import { EnvelopeSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { causedBy, makeEnvelope } from './envelope.ts';

const base = {
  type: 'ticket.created',
  orgId: 'org-1',
  aggregateId: 'ticket-1',
  sequence: 1,
  actor: { type: 'user' as const, id: 'user-1', role: 'agent' as const },
  data: { title: 'Printer on fire' },
};

describe('makeEnvelope', () => {
  it('builds an envelope the contract accepts, with defaults for the optional fields', () => {
    const event = makeEnvelope(base);
    expect(EnvelopeSchema.parse(event)).toEqual(event);
    expect(event.version).toBe(1);
    expect(event.causationId).toBeNull();
    expect(event.correlationId).toBe(event.id);
  });

  it('uses time-ordered v7 ids, so an event made later sorts after one made earlier', () => {
    const first = makeEnvelope(base);
    const second = makeEnvelope(base);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.id > first.id).toBe(true);
    expect(new Set(Array.from({ length: 100 }, () => makeEnvelope(base).id)).size).toBe(100);
  });

  it('keeps given ids, times and causation', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const event = makeEnvelope({
      ...base,
      id: 'fixed-id',
      occurredAt: at,
      version: 2,
      correlationId: 'req-9',
      causationId: 'evt-8',
    });
    expect(event).toMatchObject({
      id: 'fixed-id',
      occurredAt: '2026-03-04T05:06:07.089Z',
      version: 2,
      correlationId: 'req-9',
      causationId: 'evt-8',
    });
  });
});

describe('causedBy', () => {
  it('continues the correlation chain of the cause', () => {
    const cause = makeEnvelope({ ...base, correlationId: 'req-1' });
    const effect = makeEnvelope({ ...base, type: 'sla.started', ...causedBy(cause) });
    expect(effect.correlationId).toBe('req-1');
    expect(effect.causationId).toBe(cause.id);
  });
});
