import { AppError } from '@helpdesk/kit';
import { Pool } from 'undici';
import type { UpstreamName } from '../domain/route-table.ts';

export interface Upstream {
  readonly name: UpstreamName;
  readonly origin: string;
  readonly pool: Pool;
  readonly timeoutMs: number;
}

export type Upstreams = Record<UpstreamName, Upstream> & { close(): Promise<void> };

/** One keep-alive pool per service: connection set-up would otherwise dominate a forwarded call. */
export function createUpstreams(
  origins: Record<UpstreamName, string>,
  opts: { connections: number; timeoutMs: number },
): Upstreams {
  const make = (name: UpstreamName): Upstream => ({
    name,
    origin: origins[name],
    timeoutMs: opts.timeoutMs,
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
    async close() {
      await Promise.all(Object.values(all).map((u) => u.pool.close()));
    },
  };
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failed call to a service, as the caller should see it: its fault is not theirs. */
export function upstreamFailure(upstream: UpstreamName, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  if (TIMEOUT_CODES.has(code)) {
    return new AppError('UPSTREAM_TIMEOUT', 504, `The ${upstream} service did not answer in time.`);
  }
  return new AppError('UPSTREAM_UNAVAILABLE', 502, `The ${upstream} service is unavailable.`);
}
