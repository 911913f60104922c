import { outboxPlugin, type WithOutbox } from '@helpdesk/messaging';
import { type Connection, Schema } from 'mongoose';
import type { SlaEffect } from '../domain/clocks.ts';

/**
 * One effect of a ticket's SLA workflow, keyed by the effect's idempotency key, with its event in
 * its own outbox: recording it and publishing it are one insert, and a second insert of the same
 * key fails on `_id`, so a retried or replayed activity records and publishes nothing more.
 * Escalations double as the escalation log.
 */
export interface EffectDoc extends WithOutbox {
  /** The effect's key, `<workflowId>:<clock>:<cycle>:<what>`. */
  _id: string;
  orgId: string;
  ticketId: string;
  workflowId: string;
  kind: SlaEffect['kind'];
  clock: string;
  cycle: number;
  /** When the effect became due. */
  at: Date;
  /** Escalations only: the level reached. */
  level: number | null;
  /** The effect as the workflow handed it over (its kind's own fields). */
  effect: SlaEffect;
  /** The `sequence` of its event in the workflow's stream (see effect.repository.ts). */
  sequence: number;
  recordedAt: Date;
}

const EffectSchema = new Schema<EffectDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    ticketId: { type: String, required: true },
    workflowId: { type: String, required: true },
    kind: { type: String, required: true },
    clock: { type: String, required: true },
    cycle: { type: Number, required: true },
    at: { type: Date, required: true },
    level: { type: Number, default: null },
    effect: { type: Schema.Types.Mixed, required: true },
    sequence: { type: Number, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'sla_effects', versionKey: false, minimize: false },
);
EffectSchema.plugin(outboxPlugin);
// The escalation log: by org (and ticket), newest first.
EffectSchema.index({ orgId: 1, kind: 1, at: -1, _id: -1 }, { name: 'org_kind_at' });
EffectSchema.index({ orgId: 1, ticketId: 1, kind: 1, at: -1 }, { name: 'org_ticket_kind_at' });

export const effectModel = (conn: Connection) => conn.model<EffectDoc>('SlaEffect', EffectSchema);
export type EffectModel = ReturnType<typeof effectModel>;

/** Per workflow, the last `sequence` handed to one of its events. */
export interface StreamDoc {
  _id: string;
  sequence: number;
}

const StreamSchema = new Schema<StreamDoc>(
  {
    _id: { type: String, required: true },
    sequence: { type: Number, required: true },
  },
  { collection: 'sla_streams', versionKey: false },
);

export const streamModel = (conn: Connection) => conn.model<StreamDoc>('SlaStream', StreamSchema);
export type StreamModel = ReturnType<typeof streamModel>;
