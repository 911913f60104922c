import type {
  CategorySnapshot,
  Envelope,
  EscalationAction,
  Priority,
  TicketSnapshot,
  TicketStatus,
} from '@helpdesk/contracts';
import type { SlaEffect, SlaView, TicketFacts } from '../domain/clocks.ts';
import type { ManualEscalationRequest, SlaSearch, SlaWorkflowInput } from '../workflows/contract.ts';

/** A ticket as the sla service knows it from the tickets service's events. */
export interface TicketView {
  id: string;
  orgId: string;
  number: number;
  title: string;
  requesterId: string;
  assigneeId: string | null;
  status: TicketStatus;
  priority: Priority;
  categoryId: string | null;
  tags: string[];
  createdAt: Date;
}

export interface TicketViews {
  /** Stores the ticket as of `sequence`, unless a later state is already stored; says whether it did. */
  record(ticket: TicketSnapshot, sequence: number): Promise<boolean>;
  /** By id or `HD-000042` key, in the org only. */
  find(orgId: string, idOrKey: string): Promise<TicketView | null>;
}

export interface CategoryViews {
  record(category: CategorySnapshot, sequence: number): Promise<boolean>;
  /** Null when the category has none, or is not known (yet). */
  defaultSlaHours(orgId: string, categoryId: string): Promise<number | null>;
}

export interface RecordedEffect {
  orgId: string;
  ticketId: string;
  workflowId: string;
  effect: SlaEffect;
}

/** One entry of the escalation log. */
export interface Escalation {
  key: string;
  orgId: string;
  ticketId: string;
  level: number;
  clock: string;
  reason: string;
  actions: EscalationAction[];
  /** The admin who escalated by hand; null for an automatic escalation. */
  actorId: string | null;
  at: Date;
  recordedAt: Date;
}

export interface EscalationQuery {
  orgId: string;
  ticketId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

export interface EffectLog {
  /**
   * Stores the effect with the event `event(sequence)` builds in one insert, `sequence` being the
   * next of the workflow's stream. `duplicate`: its key was recorded before; nothing changed.
   */
  record(e: RecordedEffect, event: (sequence: number) => Envelope): Promise<'recorded' | 'duplicate'>;
  /** Newest first; `next` is the cursor of the following page. */
  escalations(q: EscalationQuery): Promise<{ results: Escalation[]; next: string | null }>;
}

/** The ticket's SLA workflow, as the consumer and the API reach it. */
export interface SlaWorkflows extends SlaSearch {
  /** Signal-with-start. `ended`: the ticket's workflow completed (closed ticket); nothing was sent. */
  ticketChanged(input: SlaWorkflowInput, facts: TicketFacts): Promise<'signalled' | 'ended'>;
  /** The live SLA state as of `at` (ISO); null when the ticket has no workflow. */
  view(ticketId: string, at: string): Promise<SlaView | null>;
  escalate(ticketId: string, req: ManualEscalationRequest): Promise<'signalled' | 'not_found' | 'ended'>;
}
