import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';

/** Carries identity's `INTERNAL_TOKEN` when it has one configured. */
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

export interface FetchJsonOptions<T> {
  /** The body must match it; anything else is malformed. */
  schema: z.ZodType<T>;
  /** Names what is fetched in error messages (`revocation snapshot`). */
  what: string;
  /** Added to the URL's query; error messages show the URL without them. */
  query?: Record<string, string>;
  /** Identity's `INTERNAL_TOKEN`, sent as `x-internal-token`; leave out when identity has none. */
  token?: string | undefined;
  /** Per attempt; default 5 s. */
  timeoutMs?: number;
  /** In all, default 5. */
  attempts?: number;
  /** Wait before the n-th retry: n × this (default 500 ms). */
  retryDelayMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

class PermanentError extends Error {}

/**
 * GETs a JSON body from another service that may be starting at the same moment: network errors
 * and 5xx are retried up to `attempts` times in all, a 4xx or a malformed body fails at once,
 * since retrying cannot fix a wrong token or URL. The body is validated whole, so a caller never
 * acts on part of a bad one.
 */
export async function fetchJsonWithRetry<T>(url: string, opts: FetchJsonOptions<T>): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const retryDelayMs = opts.retryDelayMs ?? 500;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await delay((attempt - 1) * retryDelayMs, undefined, { signal: opts.signal });
    try {
      return await fetchJson(url, opts);
    } catch (err) {
      if (err instanceof PermanentError || opts.signal?.aborted) throw err;
      lastError = err;
    }
  }
  throw new Error(`${opts.what} unavailable from ${url} after ${attempts} attempts`, { cause: lastError });
}

async function fetchJson<T>(url: string, opts: FetchJsonOptions<T>): Promise<T> {
  const target = new URL(url);
  for (const [name, value] of Object.entries(opts.query ?? {})) target.searchParams.set(name, value);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5_000);
  const res = await (opts.fetch ?? fetch)(target, {
    headers: { accept: 'application/json', ...(opts.token ? { [INTERNAL_TOKEN_HEADER]: opts.token } : {}) },
    signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
  });
  if (!res.ok) {
    await res.body?.cancel();
    const message = `${opts.what}: ${url} answered ${res.status}`;
    if (res.status >= 500) throw new Error(message);
    throw new PermanentError(message);
  }
  const parsed = opts.schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new PermanentError(`${opts.what}: ${url} sent a malformed body`);
  return parsed.data;
}
