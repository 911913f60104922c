import type { Envelope, Priority, Role, TicketStatus } from '@helpdesk/contracts';
import type { OutboxEntry } from '@helpdesk/messaging';
import type { Comment, HistoryEntry, Ticket } from './ticket.ts';

/** One atomic change of a ticket: fields, history, an optional comment, and its events. */
export interface TicketChange {
  set: Partial<Omit<Ticket, 'id' | 'orgId' | 'number' | 'version' | 'createdAt'>>;
  history: HistoryEntry[];
  comment?: Comment;
  escalation?: { key: string; level: number; at: Date };
  /** Built with consecutive sequences after the read version; the new version is the last one. */
  events: Envelope[];
}

export const TICKET_SORTS = ['created', '-created', 'updated', '-updated', 'number', '-number'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketListQuery {
  /** The caller's visibility filter (see access.ts). */
  scope: Record<string, unknown>;
  /** A customer's list: `updated` means the last change they can see (`publicUpdatedAt`). */
  customerView?: boolean;
  status?: TicketStatus[];
  priority?: Priority[];
  /** `null` lists unassigned tickets. */
  assigneeId?: string | null;
  categoryId?: string;
  requesterId?: string;
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  sort: TicketSort;
  limit: number;
  cursor?: string;
}

/**
 * What a ticket write hands on to the outbox relay: the ticket's whole pending outbox as the write
 * left it (its own events and any still unpublished), so the relay publishes without reading it.
 */
export interface WrittenOutbox {
  outbox: OutboxEntry[];
}

export interface TicketRepository {
  /** The org's next ticket number; atomic, so concurrent creates get distinct consecutive numbers. */
  nextNumber(orgId: string): Promise<number>;
  insert(ticket: Ticket, history: HistoryEntry[], events: Envelope[]): Promise<WrittenOutbox>;
  /** By id, or by key (`HD-000042`), in the org. */
  find(orgId: string, idOrKey: string): Promise<Ticket | null>;
  /**
   * Applies the change if the ticket is still at `read.version` (and has not applied
   * `escalation.key`); else null. Returns the ticket as written.
   */
  apply(read: Ticket, change: TicketChange): Promise<(WrittenOutbox & { ticket: Ticket }) | null>;
  list(query: TicketListQuery): Promise<{ results: Ticket[]; next: string | null }>;
  comments(orgId: string, id: string): Promise<Comment[]>;
  history(orgId: string, id: string): Promise<HistoryEntry[]>;
  /** Open load per agent: tickets in an active status assigned to each of `assigneeIds`. */
  activeLoad(orgId: string, assigneeIds: string[]): Promise<Map<string, number>>;
}

export interface Category {
  id: string;
  orgId: string;
  name: string;
  description: string;
  defaultSlaHours: number | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Grows by one per change; the `sequence` of the change's `category.*` event. */
  version: number;
}

export type CategoryFields = Pick<Category, 'name' | 'description' | 'defaultSlaHours' | 'active'>;

/**
 * Every write carries its `category.*` events (same document, same update), so the sla service
 * never misses a change; a change applies only to the version it was planned on.
 */
export interface CategoryRepository {
  find(orgId: string, id: string): Promise<Category | null>;
  list(
    orgId: string,
    opts: { active?: boolean; limit: number; cursor?: string },
  ): Promise<{ results: Category[]; next: string | null }>;
  /** Throws CATEGORY_NAME_TAKEN (409) when the org has a category of that name. */
  create(c: Category, events: Envelope[]): Promise<void>;
  /** Writes `set` as version `read.version + 1` if the category is still at `read.version`; else null. */
  change(
    read: Category,
    set: Partial<CategoryFields> & { updatedAt: Date },
    events: Envelope[],
  ): Promise<Category | null>;
}

/** What the tickets service knows of a user, from identity's events. */
export interface KnownUser {
  id: string;
  orgId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  active: boolean;
}

export interface UserDirectory {
  find(orgId: string, id: string): Promise<KnownUser | null>;
  findMany(orgId: string, ids: string[]): Promise<KnownUser[]>;
}
