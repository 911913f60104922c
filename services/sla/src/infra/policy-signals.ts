import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { PolicySignals } from '../use-cases/config-ports.ts';
import { policyChangedSignal, slaWorkflowId } from '../workflows/contract.ts';

/** `policyChanged` through the Temporal client; a completed or missing workflow is `not_running`. */
export function createPolicySignals(client: Client): PolicySignals {
  return {
    async policyChanged(ticketId, at) {
      try {
        await client.workflow.getHandle(slaWorkflowId(ticketId)).signal(policyChangedSignal, { at });
        return 'signalled';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'not_running';
        throw err;
      }
    },
  };
}
