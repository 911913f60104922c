import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import type { RecordedEffect } from '../use-cases/ports.ts';
import { effectEvent } from './effect-events.ts';

const warning = (percent: number): RecordedEffect => ({
  orgId: 'org-1',
  ticketId: 't-1',
  workflowId: 'sla:ticket:t-1',
  effect: {
    kind: 'warning',
    clock: 'resolution',
    cycle: 1,
    at: '2025-03-03T10:00:00.000Z',
    key: 'sla:ticket:t-1:resolution:1:warning:75',
    percent,
    targetMs: 3_600_000,
    dueAt: '2025-03-03T10:15:00.000Z',
  },
});

describe('effectEvent', () => {
  it('when the effect fits its contract, then it becomes the event', () => {
    expect(effectEvent(warning(75), 3)).toMatchObject({ type: 'sla.warning', sequence: 3 });
  });

  it('when the effect violates its contract, then it fails for good (no retry) and says which effect', () => {
    let thrown: unknown;
    try {
      effectEvent(warning(150), 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({
      nonRetryable: true,
      type: 'SLA_EFFECT_CONTRACT_VIOLATION',
      message: expect.stringContaining('sla:ticket:t-1:resolution:1:warning:75'),
    });
  });
});
