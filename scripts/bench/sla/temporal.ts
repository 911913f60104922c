// The Temporal client SDK for the benchmark: the root has no dependency on it, so it comes from the
// sla service's own install (the version the service runs).
export {
  Client,
  Connection,
  WorkflowNotFoundError,
} from '../../../services/sla/node_modules/@temporalio/client/lib/index.js';
