import { AppError } from '@helpdesk/kit';
import { Pool } from 'undici';
import type { UpstreamName } from '../domain/route-table.ts';

export interface Upstream {
  readonly name: UpstreamName;
  readonly origin: string;
  readonly pool: Pool;
  readonly timeoutMs: number;
  /** Pool connections: calls beyond this many wait in the pool's queue. */
  readonly connections: number;
  /** Calls allowed at once, running plus queued; one more is refused with `UPSTREAM_BUSY`. */
  readonly maxInFlight: number;
  /** Calls the proxy has under way to this service, counted by the proxy itself. */
  inFlight: number;
}

export type Upstreams = Record<UpstreamName, Upstream> & {
  /** Lets calls under way finish for up to `graceMs`, then drops whatever is left. */
  close(graceMs?: number): Promise<void>;
};

/** One keep-alive pool per service: connection set-up would otherwise dominate a forwarded call. */
export function createUpstreams(
  origins: Record<UpstreamName, string>,
  opts: { connections: number; timeoutMs: number; queueMax?: number },
): Upstreams {
  const make = (name: UpstreamName): Upstream => ({
    name,
    origin: origins[name],
    timeoutMs: opts.timeoutMs,
    connections: opts.connections,
    maxInFlight: opts.connections + (opts.queueMax ?? 1024),
    inFlight: 0,
    pool: new Pool(origins[name], {
      connections: opts.connections,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
    }),
  });
  const all = {
    identity: make('identity'),
    tickets: make('tickets'),
    sla: make('sla'),
    reporting: make('reporting'),
  };
  return {
    ...all,
    async close(graceMs = 5_000) {
      await Promise.all(Object.values(all).map((u) => closePool(u.pool, graceMs)));
    },
  };
}

/**
 * `close()` alone waits for every queued and running call, however long a stuck service takes;
 * shutdown must end, so past the grace period the pool is destroyed and its calls fail.
 */
async function closePool(pool: Pool, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = pool.close().then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, graceMs, false);
  });
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!inTime) await pool.destroy();
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failed call to a service, as the caller should see it: its fault is not theirs. */
export function upstreamFailure(upstream: UpstreamName, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  if (TIMEOUT_CODES.has(code)) return upstreamTimeout(upstream);
  return new AppError('UPSTREAM_UNAVAILABLE', 502, `The ${upstream} service is unavailable.`);
}

export function upstreamTimeout(upstream: UpstreamName): AppError {
  return new AppError('UPSTREAM_TIMEOUT', 504, `The ${upstream} service did not answer in time.`);
}

/** Every connection is busy and the queue behind them is full: shed load rather than wait. */
export function upstreamBusy(upstream: UpstreamName): AppError {
  return new AppError('UPSTREAM_BUSY', 503, `The ${upstream} service is too busy; try again shortly.`, {
    headers: { 'retry-after': '1' },
  });
}
