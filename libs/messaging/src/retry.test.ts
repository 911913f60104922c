import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_RETRY_POLICY, decideRetry, deliveryAttempt, PermanentError, retryDelay } from './retry.ts';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 500 };

describe('decideRetry', () => {
  it('retries a transient failure while attempts remain, with a doubling delay', () => {
    expect(decideRetry(new Error('timeout'), 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideRetry(new Error('timeout'), 2, policy)).toEqual({ action: 'retry', delayMs: 200 });
    expect(decideRetry(new Error('timeout'), 3, policy)).toEqual({ action: 'retry', delayMs: 400 });
  });

  it('dead-letters once the last attempt failed', () => {
    expect(decideRetry(new Error('timeout'), 4, policy)).toEqual({ action: 'dead', reason: 'exhausted' });
    expect(decideRetry(new Error('timeout'), 9, policy)).toEqual({ action: 'dead', reason: 'exhausted' });
  });

  it('dead-letters at once what no retry can fix', () => {
    const zodError = z.object({ a: z.string() }).safeParse({ a: 1 }).error;
    const notRetryable = Object.assign(new Error('bad'), { retryable: false });
    for (const err of [new PermanentError('no such org'), zodError, notRetryable]) {
      expect(decideRetry(err, 1, policy)).toEqual({ action: 'dead', reason: 'permanent' });
    }
  });

  it('treats non-error throws as transient', () => {
    expect(decideRetry('oops', 1, policy).action).toBe('retry');
    expect(decideRetry(undefined, 1, policy).action).toBe('retry');
  });
});

describe('retryDelay', () => {
  it('caps the backoff', () => {
    expect(retryDelay(10, policy)).toBe(500);
    expect(retryDelay(1, DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY.baseDelayMs);
  });
});

describe('deliveryAttempt', () => {
  it('counts from the quorum queue delivery count', () => {
    expect(deliveryAttempt(undefined, false)).toBe(1);
    expect(deliveryAttempt({}, false)).toBe(1);
    expect(deliveryAttempt({ 'x-delivery-count': 1 }, true)).toBe(2);
    expect(deliveryAttempt({ 'x-delivery-count': 4 }, true)).toBe(5);
  });

  it('falls back to the redelivered flag without a count', () => {
    expect(deliveryAttempt({}, true)).toBe(2);
  });
});
