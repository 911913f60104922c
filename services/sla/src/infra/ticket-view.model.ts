import type { Priority, TicketStatus } from '@helpdesk/contracts';
import { type Connection, Schema } from 'mongoose';

/**
 * The tickets service's tickets as their events describe them: what visibility checks and policy
 * conditions need, nothing more (no description, no comments). `sequence` is the ticket's version
 * of the last event applied, so stale and repeated events change nothing.
 */
export interface TicketViewDoc {
  _id: string;
  orgId: string;
  /** The per-org number: paths accept `HD-000042` in place of the id, as the tickets service's do. */
  number: number;
  title: string;
  requesterId: string;
  assigneeId: string | null;
  status: TicketStatus;
  priority: Priority;
  categoryId: string | null;
  tags: string[];
  createdAt: Date;
  sequence: number;
}

const TicketViewSchema = new Schema<TicketViewDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    number: { type: Number, required: true },
    title: { type: String, default: '' },
    requesterId: { type: String, required: true },
    assigneeId: { type: String, default: null },
    status: { type: String, required: true },
    priority: { type: String, required: true },
    categoryId: { type: String, default: null },
    tags: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    sequence: { type: Number, required: true },
  },
  { collection: 'sla_tickets', versionKey: false },
);
TicketViewSchema.index({ orgId: 1, number: 1 }, { name: 'org_number' });

export const ticketViewModel = (conn: Connection) => conn.model<TicketViewDoc>('SlaTicket', TicketViewSchema);
export type TicketViewModel = ReturnType<typeof ticketViewModel>;
