/**
 * Thrown by a handler for a message that no retry can fix (it references something that can
 * never exist, its data breaks an invariant): the message goes to the dead-letter queue at once.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before the second attempt; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'dead'; reason: DeadReason };
export type DeadReason = 'permanent' | 'exhausted';

/** A zod failure inside a handler means the data is wrong, and it stays wrong on the next try. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentError) return true;
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { retryable?: unknown }).retryable === false) return true;
  return (error as { name?: unknown }).name === 'ZodError';
}

export function retryDelay(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** What to do with a message whose handler failed on delivery number `attempt` (1-based). */
export function decideRetry(error: unknown, attempt: number, policy: RetryPolicy): RetryDecision {
  if (isPermanent(error)) return { action: 'dead', reason: 'permanent' };
  if (attempt >= policy.maxAttempts) return { action: 'dead', reason: 'exhausted' };
  return { action: 'retry', delayMs: retryDelay(attempt, policy) };
}

/**
 * 1-based delivery number. Quorum queues count failed deliveries in `x-delivery-count`; the
 * header is absent on the first delivery. Other queues only say whether it is a redelivery.
 */
export function deliveryAttempt(headers: Record<string, unknown> | undefined, redelivered: boolean): number {
  const count = headers?.['x-delivery-count'];
  if (typeof count === 'number' && Number.isFinite(count)) return count + 1;
  if (typeof count === 'bigint') return Number(count) + 1;
  return redelivered ? 2 : 1;
}
