import { createLogger, serveApp } from '@helpdesk/kit';
import { loadReportingConfig } from './config.ts';
import { startReportingRuntime } from './runtime.ts';

const config = loadReportingConfig(process.env);
const logger = createLogger({ name: 'reporting', level: config.LOG_LEVEL });
const runtime = await startReportingRuntime({ config, logger });
await serveApp({
  app: runtime.app,
  port: config.PORT,
  host: config.HOST,
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: runtime.closers,
});
