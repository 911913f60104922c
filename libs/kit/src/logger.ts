import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths never written to a log, whatever level: credentials and tokens. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.refresh',
  '*.access',
  '*.token',
  'password',
  'token',
];

/** One root logger per process; request and message loggers are its children. */
export function createLogger(opts: { name: string; level: string }): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
