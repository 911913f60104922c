import { Counter, type Registry } from '@helpdesk/kit';
import type { Connection } from '@temporalio/client';
import type { SlaEffect } from '../domain/clocks.ts';

/** The sla service's own series, next to the kit's HTTP and the messaging ones. */
export function createSlaMetrics(registry: Registry) {
  const registers = [registry];
  return {
    workflowStarts: new Counter({
      name: 'sla_workflow_starts_total',
      help: 'Signal-with-start calls for ticket SLA workflows, by outcome: started (a new run) or signalled (a running one)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    escalations: new Counter({
      name: 'sla_escalations_total',
      help: 'Escalations recorded (each once, however often its activity ran), by ladder level',
      labelNames: ['level'] as const,
      registers,
    }),
    breaches: new Counter({
      name: 'sla_breaches_total',
      help: 'SLA clocks that passed their target, by clock',
      labelNames: ['clock'] as const,
      registers,
    }),
    warnings: new Counter({
      name: 'sla_warnings_total',
      help: 'SLA warnings (a share of the target used up), by clock',
      labelNames: ['clock'] as const,
      registers,
    }),
  };
}
export type SlaMetrics = ReturnType<typeof createSlaMetrics>;

/** Counts a newly recorded effect; a repeat of the same effect is never passed here. */
export function countEffect(metrics: SlaMetrics, effect: SlaEffect): void {
  switch (effect.kind) {
    case 'escalated':
      metrics.escalations.inc({ level: String(effect.level) });
      break;
    case 'breached':
      metrics.breaches.inc({ clock: effect.clock });
      break;
    case 'warning':
      metrics.warnings.inc({ clock: effect.clock });
      break;
  }
}

/**
 * Counts signal-with-start outcomes from the server's answer: only its `started` flag tells a new
 * run from a signal to a running one, and the SDK's handle does not expose it. The connection's
 * workflow service is a plain object of RPC methods, so the one method is wrapped; every client
 * on this connection goes through it.
 */
export function countWorkflowStarts(connection: Connection, metrics: SlaMetrics): void {
  type Call = (request: unknown) => Promise<{ started?: boolean | null }>;
  const service = connection.workflowService as unknown as { signalWithStartWorkflowExecution: Call };
  const call = service.signalWithStartWorkflowExecution.bind(service);
  service.signalWithStartWorkflowExecution = async (request) => {
    const response = await call(request);
    metrics.workflowStarts.inc({ outcome: response?.started === true ? 'started' : 'signalled' });
    return response;
  };
}
