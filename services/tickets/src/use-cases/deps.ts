import type { makeEnvelope, OutboxEntry } from '@helpdesk/messaging';
import type { AssignmentRuleRepository } from '../domain/assignment-rule.ts';
import type { AttachmentStore } from '../domain/attachment.ts';
import type { CategoryRepository, TicketRepository, UserDirectory } from '../domain/ports.ts';
import type { Ticket } from '../domain/ticket.ts';

/** What the auto-assignment picked for a new ticket, if anything. */
export interface AutoAssignment {
  assigneeId: string;
  ruleId: string;
}

export interface TicketsDeps {
  tickets: TicketRepository;
  categories: CategoryRepository;
  users: UserDirectory;
  rules: AssignmentRuleRepository;
  attachments: AttachmentStore;
  settings: { maxCommentsPerTicket: number; attachmentMaxBytes: number };
  /** Evaluates the org's assignment rules for a ticket about to be created. */
  autoAssign: (draft: Ticket) => Promise<AutoAssignment | null>;
  /**
   * `kick` tells the outbox relay that a ticket (or a category) just got events, so it publishes
   * them now: a ticket's from the `outbox` its write returned, a category's by reading that one
   * document. Only after the write succeeded: the relay publishes a given outbox as it is.
   */
  events: {
    envelope: typeof makeEnvelope;
    kick: (written?: { ticketId: string; outbox?: OutboxEntry[] } | { categoryId: string }) => void;
  };
  clock: () => Date;
  newId: () => string;
}
