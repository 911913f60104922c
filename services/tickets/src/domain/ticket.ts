import type { Priority, Role, TicketSnapshot, TicketStatus } from '@helpdesk/contracts';

export interface Ticket {
  id: string;
  orgId: string;
  number: number;
  title: string;
  description: string;
  categoryId: string | null;
  priority: Priority;
  status: TicketStatus;
  requesterId: string;
  assigneeId: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  escalationLevel: number;
  reopenCount: number;
  commentCount: number;
  publicCommentCount: number;
  /** Grows by one per change; also the `sequence` of the change's event and the ETag. */
  version: number;
  /**
   * What customers see as `version` (and ETag) and `updated_at`: only changes visible to them
   * move these, so an internal note cannot be counted or timed from outside.
   */
  publicVersion: number;
  publicUpdatedAt: Date;
}

/** What a new ticket is made of; description, category, priority and tags have defaults. */
export interface NewTicketFields {
  id: string;
  orgId: string;
  number: number;
  title: string;
  requesterId: string;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priority?: Priority | undefined;
  tags?: string[] | undefined;
}

/** A ticket as it is created at `at`: open, unassigned, nothing happened to it yet, version 1. */
export function newTicket(f: NewTicketFields, at: Date): Ticket {
  return {
    id: f.id,
    orgId: f.orgId,
    number: f.number,
    title: f.title,
    description: f.description ?? '',
    categoryId: f.categoryId ?? null,
    priority: f.priority ?? 'medium',
    status: 'open',
    requesterId: f.requesterId,
    assigneeId: null,
    tags: f.tags ?? [],
    createdAt: at,
    updatedAt: at,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    escalationLevel: 0,
    reopenCount: 0,
    commentCount: 0,
    publicCommentCount: 0,
    version: 1,
    publicVersion: 1,
    publicUpdatedAt: at,
  };
}

export interface Comment {
  id: string;
  parentId: string | null;
  authorId: string;
  authorRole: Role;
  body: string;
  internal: boolean;
  createdAt: Date;
}

export interface HistoryEntry {
  at: Date;
  actorId: string;
  actorRole: Role | 'system';
  field: string;
  old: unknown;
  new: unknown;
  /** Caused by an internal note: staff only. */
  internal: boolean;
}

export const TICKET_KEY_PREFIX = 'HD';

/** `HD-000042`: at least six digits, more once an org passes a million tickets. */
export const ticketKey = (n: number): string => `${TICKET_KEY_PREFIX}-${String(n).padStart(6, '0')}`;

export const parseTicketKey = (s: string): number | undefined => {
  const m = /^HD-(\d{1,12})$/i.exec(s);
  return m ? Number(m[1]) : undefined;
};

const seconds = (from: Date, to: Date | null) =>
  to ? Math.round((to.getTime() - from.getTime()) / 1000) : null;

/** Calendar durations; business-time figures are the sla service's. */
export const firstResponseSeconds = (t: Ticket) => seconds(t.createdAt, t.firstResponseAt);
export const resolutionSeconds = (t: Ticket) => seconds(t.createdAt, t.resolvedAt);

export function toSnapshot(t: Ticket): TicketSnapshot {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    orgId: t.orgId,
    number: t.number,
    key: ticketKey(t.number),
    title: t.title,
    categoryId: t.categoryId,
    priority: t.priority,
    status: t.status,
    requesterId: t.requesterId,
    assigneeId: t.assigneeId,
    tags: t.tags,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    firstResponseAt: iso(t.firstResponseAt),
    resolvedAt: iso(t.resolvedAt),
    closedAt: iso(t.closedAt),
    escalationLevel: t.escalationLevel,
    reopenCount: t.reopenCount,
    publicCommentCount: t.publicCommentCount,
    version: t.version,
  };
}

export const TAG_PATTERN = /^[\p{L}\p{N}_.:-]{1,50}$/u;

/** Tags are compared case-insensitively and kept lower case, without duplicates. */
export const normalizeTags = (tags: readonly string[]): string[] => [
  ...new Set(tags.map((t) => t.toLowerCase())),
];
