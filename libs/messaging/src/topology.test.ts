import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_EXCHANGE, deadLetterQueueName, queueArguments } from './topology.ts';

describe('queueArguments', () => {
  it('declares a quorum queue dead-lettered to the DLX under its own name', () => {
    expect(queueArguments('reporting.events', 5)).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 4,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': 'reporting.events',
    });
    expect(deadLetterQueueName('reporting.events')).toBe('reporting.events.dlq');
  });

  it('never sets a negative delivery limit', () => {
    expect(queueArguments('q', 0)['x-delivery-limit']).toBe(0);
  });
});
