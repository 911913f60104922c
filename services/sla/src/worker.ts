import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type Logger,
  type NativeConnection,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { activityTraceInterceptors, SLA_WORKFLOW_INTERCEPTORS_PATH } from './activities/trace.interceptor.ts';
import { SLA_TASK_QUEUE, type SlaActivities } from './workflows/contract.ts';

/** The workflow bundle's entry (src/workflows/index.ts). */
export const SLA_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/**
 * Bundles the workflow code once (a few seconds); the result can serve any number of workers,
 * replays included.
 */
export function bundleSlaWorkflows(options: { logger?: Logger } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: SLA_WORKFLOWS_PATH,
    // Passes the trace of the event that armed a timer on to the activities it leads to.
    workflowInterceptorModules: [SLA_WORKFLOW_INTERCEPTORS_PATH],
    ...options,
  });
}

export interface SlaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  activities: SlaActivities;
  /** From `bundleSlaWorkflows()`; without it the worker bundles the workflows itself. */
  workflowBundle?: WorkflowBundle;
  tuning?: SlaWorkerTuning;
}

/** The worker's capacity settings (config: SLA_WORKER_MAX_*); unset ones keep the SDK's defaults. */
export interface SlaWorkerTuning {
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentWorkflowTaskPolls?: number;
  nonStickyToStickyPollRatio?: number;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The tuning a service config asks for. */
export function workerTuning(config: {
  SLA_WORKER_MAX_CACHED_WORKFLOWS: number;
  SLA_WORKER_MAX_WORKFLOW_TASKS: number;
  SLA_WORKER_WORKFLOW_POLLERS: number;
  SLA_WORKER_MAX_ACTIVITIES: number;
}): SlaWorkerTuning {
  return {
    maxCachedWorkflows: config.SLA_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.SLA_WORKER_MAX_WORKFLOW_TASKS,
    maxConcurrentWorkflowTaskPolls: Math.min(
      config.SLA_WORKER_WORKFLOW_POLLERS,
      config.SLA_WORKER_MAX_WORKFLOW_TASKS,
    ),
    // The SDK's default (0.2) leaves 2 of 10 pollers on the queue every new ticket's first task
    // comes from; an SLA workflow gets few tasks after its first, so both queues get half.
    nonStickyToStickyPollRatio: 1,
    maxConcurrentActivityTaskExecutions: config.SLA_WORKER_MAX_ACTIVITIES,
  };
}

/** A worker for the SLA workflows and their activities; the caller runs and shuts it down. */
export function createSlaWorker(options: SlaWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue = SLA_TASK_QUEUE, activities, workflowBundle, tuning } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    // The activities' methods, bound: the worker calls them as plain functions.
    activities: {
      resolvePolicy: activities.resolvePolicy.bind(activities),
      recordEffects: activities.recordEffects.bind(activities),
    },
    ...tuning,
    interceptors: {
      activity: [activityTraceInterceptors],
      // A prebuilt bundle has its workflow interceptors inside (bundleSlaWorkflows).
      ...(workflowBundle ? {} : { workflowModules: [SLA_WORKFLOW_INTERCEPTORS_PATH] }),
    },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: SLA_WORKFLOWS_PATH }),
  });
}
