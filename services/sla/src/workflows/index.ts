// The worker's workflow bundle entry: every workflow type the sla task queue runs.
export { ticketSlaWorkflow } from './ticket-sla.workflow.ts';
