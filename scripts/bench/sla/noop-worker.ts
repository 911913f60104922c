/**
 * The baseline's worker process: the no-op workflow (./noop.workflow.ts) on the benchmark's task
 * queue, with the same worker tuning as the SLA worker (the service's SLA_WORKER_* settings).
 * Prints `READY` once it polls; runs until killed.
 */
import { fileURLToPath } from 'node:url';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
} from '../../../services/sla/node_modules/@temporalio/worker/lib/index.js';
import { loadSlaConfig } from '../../../services/sla/src/config.ts';
import { workerTuning } from '../../../services/sla/src/worker.ts';

const SLA_NODE_MODULES = fileURLToPath(new URL('../../../services/sla/node_modules', import.meta.url));
const config = loadSlaConfig(process.env);
Runtime.install({ logger: new DefaultLogger('ERROR') });
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.SLA_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./noop.workflow.ts', import.meta.url)),
  // The root has no Temporal packages: the bundle takes them from the sla service's install.
  bundlerOptions: {
    webpackConfigHook: (c) => ({
      ...c,
      resolve: { ...c.resolve, modules: [SLA_NODE_MODULES, ...(c.resolve?.modules ?? ['node_modules'])] },
    }),
  },
  ...workerTuning(config),
});
const running = worker.run();
process.stdout.write('READY\n');
await running;
