import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type Logger,
  type NativeConnection,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { SLA_TASK_QUEUE, type SlaActivities } from './workflows/contract.ts';

/** The workflow bundle's entry (src/workflows/index.ts). */
export const SLA_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/**
 * Bundles the workflow code once (a few seconds); the result can serve any number of workers,
 * replays included.
 */
export function bundleSlaWorkflows(options: { logger?: Logger } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: SLA_WORKFLOWS_PATH, ...options });
}

export interface SlaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  activities: SlaActivities;
  /** From `bundleSlaWorkflows()`; without it the worker bundles the workflows itself. */
  workflowBundle?: WorkflowBundle;
}

/** A worker for the SLA workflows and their activities; the caller runs and shuts it down. */
export function createSlaWorker(options: SlaWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue = SLA_TASK_QUEUE, activities, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    // The activities' methods, bound: the worker calls them as plain functions.
    activities: {
      resolvePolicy: activities.resolvePolicy.bind(activities),
      recordEffects: activities.recordEffects.bind(activities),
    },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: SLA_WORKFLOWS_PATH }),
  });
}
