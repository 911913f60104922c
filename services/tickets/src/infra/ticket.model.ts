import { outboxPlugin, type WithOutbox } from '@helpdesk/messaging';
import { type Connection, Schema } from 'mongoose';
import type { Comment, HistoryEntry } from '../domain/ticket.ts';

export interface AppliedEscalation {
  key: string;
  level: number;
  at: Date;
}

export interface TicketDoc extends WithOutbox {
  _id: string;
  orgId: string;
  number: number;
  title: string;
  description: string;
  categoryId: string | null;
  priority: 'low' | 'medium' | 'high' | 'critical';
  status: 'open' | 'assigned' | 'in_progress' | 'pending' | 'resolved' | 'closed' | 'cancelled';
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
  version: number;
  publicVersion: number;
  publicUpdatedAt: Date;
  /** Not selected by default: lists and reads of the ticket itself never carry the thread. */
  comments?: Comment[];
  history?: HistoryEntry[];
  escalations?: AppliedEscalation[];
}

const CommentSchema = new Schema<Comment>(
  {
    id: { type: String, required: true },
    parentId: { type: String, default: null },
    authorId: { type: String, required: true },
    authorRole: { type: String, required: true },
    body: { type: String, required: true },
    internal: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

const HistorySchema = new Schema<HistoryEntry>(
  {
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    actorRole: { type: String, required: true },
    field: { type: String, required: true },
    old: { type: Schema.Types.Mixed, default: null },
    new: { type: Schema.Types.Mixed, default: null },
    internal: { type: Boolean, default: false },
  },
  { _id: false, minimize: false },
);

const EscalationSchema = new Schema<AppliedEscalation>(
  {
    key: { type: String, required: true },
    level: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A ticket with its thread and history in one document: a comment, the ticket fields it changes
 * (first response, reopen), its history entries and its event are one atomic write, with no
 * transactions (DESIGN.md section 5). Limits keep the document far below MongoDB's 16 MB.
 */
const TicketSchema = new Schema<TicketDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    number: { type: Number, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    categoryId: { type: String, default: null },
    priority: { type: String, required: true },
    status: { type: String, required: true },
    requesterId: { type: String, required: true },
    assigneeId: { type: String, default: null },
    tags: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    firstResponseAt: { type: Date, default: null },
    resolvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    escalationLevel: { type: Number, default: 0 },
    reopenCount: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    publicCommentCount: { type: Number, default: 0 },
    version: { type: Number, required: true },
    publicVersion: { type: Number, required: true },
    publicUpdatedAt: { type: Date, required: true },
    comments: { type: [CommentSchema], default: [], select: false },
    history: { type: [HistorySchema], default: [], select: false },
    escalations: { type: [EscalationSchema], default: [], select: false },
  },
  { collection: 'tickets', versionKey: false, minimize: false },
);
TicketSchema.plugin(outboxPlugin);

// Every list query starts with the org; each filter index ends with the list's sort keys
// (`createdAt`, `_id`), so a filtered page is one index range read in order, never a sort in
// memory. The agent scope `assigneeId: {$in: [me, null]}` merges two such ranges.
TicketSchema.index({ orgId: 1, number: 1 }, { unique: true, name: 'org_number' });
TicketSchema.index({ orgId: 1, createdAt: -1, _id: -1 }, { name: 'org_created' });
TicketSchema.index({ orgId: 1, updatedAt: -1, _id: -1 }, { name: 'org_updated' });
TicketSchema.index({ orgId: 1, status: 1, createdAt: -1, _id: -1 }, { name: 'org_status_created' });
TicketSchema.index({ orgId: 1, assigneeId: 1, createdAt: -1, _id: -1 }, { name: 'org_assignee_created' });
TicketSchema.index({ orgId: 1, assigneeId: 1, status: 1 }, { name: 'org_assignee_status' });
TicketSchema.index({ orgId: 1, requesterId: 1, createdAt: -1, _id: -1 }, { name: 'org_requester_created' });
TicketSchema.index({ orgId: 1, categoryId: 1, createdAt: -1, _id: -1 }, { name: 'org_category_created' });

export const ticketModel = (conn: Connection) => conn.model<TicketDoc>('Ticket', TicketSchema);
export type TicketModel = ReturnType<typeof ticketModel>;

export interface CounterDoc {
  _id: string;
  seq: number;
}

/** One per org: the last ticket number handed out. */
const CounterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { collection: 'ticket_counters', versionKey: false },
);
export const counterModel = (conn: Connection) => conn.model<CounterDoc>('TicketCounter', CounterSchema);
export type CounterModel = ReturnType<typeof counterModel>;
