import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

export interface RunningServer {
  port: number;
  /** Stops accepting, drains in-flight requests, then runs the closers in order. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Serves the app and wires graceful shutdown on SIGTERM / SIGINT: stop accepting, let in-flight
 * requests finish (bounded by `timeoutMs`), then close consumers and connections in the order
 * given (consumers before the connections they use).
 */
export async function serveApp(opts: {
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its env and schema
  app: Hono<any, any, any>;
  port: number;
  host: string;
  logger: Logger;
  closers?: Closer[];
  timeoutMs?: number;
  handleSignals?: boolean;
}): Promise<RunningServer> {
  const { logger } = opts;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: opts.app.fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
    s.once('error', reject);
  });
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: opts.host }, 'listening');

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') => {
    closing ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const timeout = opts.timeoutMs ?? 10_000;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn('in-flight requests did not finish in time; closing connections');
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, timeout);
      await closed;
      clearTimeout(timer);
      for (const c of opts.closers ?? []) {
        try {
          await c.close();
        } catch (err) {
          logger.error({ err, closer: c.name }, 'error while closing');
        }
      }
      logger.info('stopped');
    })();
    return closing;
  };

  if (opts.handleSignals !== false) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        void shutdown(sig).then(() => process.exit(0));
      });
    }
  }
  return { port, shutdown };
}
