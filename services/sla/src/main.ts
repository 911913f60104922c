import { readFile } from 'node:fs/promises';
import { createLogger, serveApp } from '@helpdesk/kit';
import { loadSlaConfig } from './config.ts';
import { startSlaRuntime } from './runtime.ts';
import { forwardTemporalLogs } from './start-worker.ts';

const config = loadSlaConfig(process.env);
const logger = createLogger({ name: 'sla', level: config.LOG_LEVEL });
forwardTemporalLogs(logger);
const runtime = await startSlaRuntime({
  config,
  logger,
  ...(config.SLA_WORKFLOW_BUNDLE
    ? { workflowBundle: { code: await readFile(config.SLA_WORKFLOW_BUNDLE, 'utf8') } }
    : {}),
});
await serveApp({
  app: runtime.app,
  port: config.PORT,
  host: config.HOST,
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: runtime.closers,
});
