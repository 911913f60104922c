import { patched, sleep } from '@temporalio/workflow';
import type { SlaView } from '../../src/domain/clocks.ts';
import type { SlaWorkflowInput } from '../../src/workflows/contract.ts';
import { ticketSlaWorkflow as current } from '../../src/workflows/ticket-sla.workflow.ts';

/** The same new first step behind `patched()`, as STYLE.md asks: runs recorded before it replay unchanged. */
export async function ticketSlaWorkflow(input: SlaWorkflowInput): Promise<SlaView> {
  if (patched('sla-test-first-step')) await sleep('1 second');
  return current(input);
}
