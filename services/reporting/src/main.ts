// Skeleton: this service's domain comes with its own issue. Until then it boots with the
// service kit so the stack, the probes and the gateway's merged OpenAPI document include it.
import {
  BaseConfigSchema,
  createLogger,
  createMetrics,
  createServiceApp,
  loadConfig,
  serveApp,
  serveOpenApi,
} from '@helpdesk/kit';
import { z } from 'zod';

const config = loadConfig(
  BaseConfigSchema.extend({ PORT: z.coerce.number().int().default(8084) }),
  process.env,
);
const logger = createLogger({ name: 'reporting', level: config.LOG_LEVEL });
const app = createServiceApp({ name: 'reporting', logger, metrics: createMetrics('reporting') });
serveOpenApi(app, 'Helpdesk reporting service');
await serveApp({ app, port: config.PORT, host: config.HOST, logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
