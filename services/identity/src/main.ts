import { ConfigError, createLogger, serveApp } from '@helpdesk/kit';
import { type Config, loadIdentityConfig } from './config.ts';
import { startIdentityRuntime } from './runtime.ts';

let config: Config;
try {
  config = loadIdentityConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`identity: ${err.message}\n`);
  process.exit(1);
}
const logger = createLogger({ name: 'identity', level: config.LOG_LEVEL });

try {
  const runtime = await startIdentityRuntime({ config, logger });
  runtime.keys.start();
  await serveApp({
    app: runtime.app,
    port: config.PORT,
    host: config.HOST,
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    closers: runtime.closers,
  });
} catch (err) {
  logger.fatal({ err }, 'identity failed to start');
  process.exit(1);
}
