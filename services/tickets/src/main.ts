import { createLogger, serveApp } from '@helpdesk/kit';
import { loadTicketsConfig } from './config.ts';
import { startTicketsRuntime } from './runtime.ts';

const config = loadTicketsConfig(process.env);
const logger = createLogger({ name: 'tickets', level: config.LOG_LEVEL });
const runtime = await startTicketsRuntime({ config, logger });
await serveApp({
  app: runtime.app,
  port: config.PORT,
  host: config.HOST,
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: runtime.closers,
});
