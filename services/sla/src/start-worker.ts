import type { Logger } from '@helpdesk/kit';
import {
  DefaultLogger,
  type LogLevel,
  NativeConnection,
  Runtime,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createSlaWorker, type SlaWorkerTuning } from './worker.ts';
import type { SlaActivities } from './workflows/contract.ts';

export interface RunningWorker {
  /** For /readyz: throws unless the worker is running. */
  check(): void;
  /** Lets in-flight tasks finish, then closes the worker's connection. */
  stop(): Promise<void>;
}

/**
 * Runs the SLA worker in this process until `stop`. A worker that dies on its own (a fatal error
 * from the server or the SDK) is logged and reported by `check`, so the replica stops being ready
 * instead of quietly letting timers go unserved.
 */
export async function startSlaWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: SlaActivities;
  logger: Logger;
  workflowBundle?: WorkflowBundle;
  tuning?: SlaWorkerTuning;
}): Promise<RunningWorker> {
  const log = opts.logger.child({ component: 'temporal-worker', taskQueue: opts.taskQueue });
  const connection = await NativeConnection.connect({ address: opts.address });
  let worker: Awaited<ReturnType<typeof createSlaWorker>>;
  try {
    worker = await createSlaWorker({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      activities: opts.activities,
      ...(opts.tuning ? { tuning: opts.tuning } : {}),
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
    });
  } catch (err) {
    await connection.close();
    throw err;
  }
  let failure: unknown = null;
  const running = worker.run().catch((err: unknown) => {
    failure = err;
    log.fatal({ err }, 'the Temporal worker stopped');
  });
  log.info('Temporal worker running');
  return {
    check() {
      if (failure !== null) throw new Error('the Temporal worker stopped');
      if (worker.getState() !== 'RUNNING') throw new Error(`the Temporal worker is ${worker.getState()}`);
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

const TEMPORAL_LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
};

/**
 * The Temporal SDK logs to stderr in its own text format unless told otherwise; this sends its
 * lines (worker state changes, workflow and activity failures) through the service's pino logger,
 * as JSON like every other line. Process-wide: call it once, before the first worker starts.
 */
export function forwardTemporalLogs(logger: Logger): void {
  const log = logger.child({ component: 'temporal-sdk' });
  const level = TEMPORAL_LEVELS[log.level] ?? 'ERROR';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const fields = meta ?? {};
      if (l === 'ERROR') log.error(fields, message);
      else if (l === 'WARN') log.warn(fields, message);
      else if (l === 'INFO') log.info(fields, message);
      else if (l === 'DEBUG') log.debug(fields, message);
      else log.trace(fields, message);
    }),
  });
}
