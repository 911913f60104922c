import { traceLogFields } from '@helpdesk/messaging';
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

/**
 * One root logger per process; request and message loggers are its children. Every line written
 * while a trace is current (a request, a message, an activity) carries `trace_id` and `span_id`.
 */
export function createLogger(opts: {
  name: string;
  level: string;
  /** Default stdout; tests pass a stream of their own to read the lines. */
  destination?: pino.DestinationStream;
}): Logger {
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceLogFields,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
