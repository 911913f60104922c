import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SlaEffect, SlaState, SlaView, TicketFacts } from '../domain/clocks.ts';
import type { ResolvedPolicy } from '../domain/policy.ts';

/*
 * The wire contract of the SLA workflow: its id, task queue, input, signals, query and
 * activities. Signal and query names are wire contracts and are never renamed (STYLE.md).
 * Client code (the consumer, the API) imports from here; the workflow implements it.
 */

export const SLA_TASK_QUEUE = 'sla';
export const WORKFLOW_TYPE = 'ticketSlaWorkflow';
export const slaWorkflowId = (ticketId: string): string => `sla:ticket:${ticketId}`;

export interface SlaWorkflowInput {
  ticketId: string;
  orgId: string;
  /** The event that started the workflow (signal-with-start also delivers it as a signal). */
  facts: TicketFacts;
  /** Carried over by continue-as-new; absent on a fresh start. */
  carried?: SlaState;
  /**
   * Continue-as-new once the run's history holds this many events (default 500, or earlier when
   * the server suggests it). Tests set it low; production leaves it out.
   */
  maxHistoryEvents?: number;
  /**
   * Keep the search attributes below up to date (default true). Off only where the server lacks
   * them: setting an attribute the namespace does not know fails the workflow task.
   */
  searchAttributes?: boolean;
}

/*
 * Custom search attributes (registered by scripts/infra/temporal.sh; docs/sla.md "Search
 * attributes"), for `GET /api/sla/at-risk/`. No personal data: ids, an instant and a number only.
 */
/** The ticket's org; set at start. */
export const SLA_ORG_ID = defineSearchAttributeKey('SlaOrgId', 'KEYWORD');
/** The earliest breach of a running clock (warnings not counted); unset when none is running. */
export const SLA_NEXT_DUE = defineSearchAttributeKey('SlaNextDue', 'DATETIME');
/** The escalation level. */
export const SLA_LEVEL = defineSearchAttributeKey('SlaLevel', 'INT');

/** A running ticket SLA found through the search attributes. */
export interface AtRiskSla {
  ticketId: string;
  nextDue: Date;
  level: number;
}

/** The search over the attributes (implemented in src/infra/sla-workflows.ts). */
export interface SlaSearch {
  /**
   * Running SLAs of the org with a breach due at or before `dueBy`, earliest first; at most
   * `limit`. The server's visibility store lags the workflows by a moment.
   */
  atRisk(orgId: string, dueBy: Date, limit: number): Promise<AtRiskSla[]>;
}

/** A ticket event, as facts; duplicates and stale ones (by `sequence`) change nothing. */
export const ticketChangedSignal = defineSignal<[TicketFacts]>('ticketChanged');

export interface ManualEscalationRequest {
  at: string;
  reason: string;
  actorId: string;
  /** Idempotency key of the request (e.g. its Idempotency-Key or request id). */
  key: string;
}
/** `POST /api/tickets/{id}/sla/escalate/`. */
export const manualEscalationSignal = defineSignal<[ManualEscalationRequest]>('escalateManually');

/** A policy changed with "retarget running tickets": resolve the policy again and retarget. */
export const policyChangedSignal = defineSignal<[{ at: string }]>('policyChanged');

/**
 * Live SLA state for `GET /api/tickets/{id}/sla/`, at `at` (ISO; pass the caller's clock). A query
 * runs without a new workflow task, so without `at` the workflow's time is that of its last event
 * and elapsed times stand still between events.
 */
export const slaViewQuery = defineQuery<SlaView, [at?: string]>('slaView');

export interface PolicyRequest {
  orgId: string;
  ticketId: string;
  priority: TicketFacts['priority'];
  categoryId: string | null;
  /** Fields the policies' JSON conditions may read (priority, category, tags, ...). */
  fields: Record<string, unknown>;
}

/** All IO of the workflow; built by `createActivities(deps)` in src/activities. */
export interface SlaActivities {
  /** The first matching policy of the org, else the default (System A's rule). */
  resolvePolicy(request: PolicyRequest): Promise<ResolvedPolicy>;
  /**
   * Records effects (escalation log entries, `ticket.escalated`, `sla.warning`, `sla.breached`,
   * `sla.fulfilled` through an outbox). Idempotent by each effect's `key`: a retried or replayed
   * activity changes nothing the second time.
   */
  recordEffects(input: {
    orgId: string;
    ticketId: string;
    workflowId: string;
    effects: SlaEffect[];
  }): Promise<void>;
}
