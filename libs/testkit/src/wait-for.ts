import { setTimeout as delay } from 'node:timers/promises';

export type WaitForOptions = {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error, e.g. "ticket HD-000001 escalated". */
  description?: string;
};

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the deadline passes. A throw
 * counts as "not yet"; the last one is reported on timeout. For things that are genuinely
 * asynchronous (a projection catching up), not a replacement for awaiting an event.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, description = 'condition' }: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`waitFor: ${description} not met within ${timeoutMs} ms${cause}`, { cause: lastError });
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
