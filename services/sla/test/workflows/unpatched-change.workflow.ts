import { sleep } from '@temporalio/workflow';
import type { SlaView } from '../../src/domain/clocks.ts';
import type { SlaWorkflowInput } from '../../src/workflows/contract.ts';
import { ticketSlaWorkflow as current } from '../../src/workflows/ticket-sla.workflow.ts';

/** Today's workflow with a new first step added in place, as a careless change would: replays must reject it. */
export async function ticketSlaWorkflow(input: SlaWorkflowInput): Promise<SlaView> {
  await sleep('1 second');
  return current(input);
}
