import type { Envelope } from '@helpdesk/contracts';
import { Schema, type UpdateQuery } from 'mongoose';
import { currentTrace, formatTraceparent } from './trace-context.ts';

/** One event waiting in its document for the relay. `_id` is the envelope id. */
export interface OutboxEntry {
  _id: string;
  envelope: Envelope;
  at: Date;
  /** The trace of the write (a request, a message, an activity), for the relay to publish under. */
  traceparent?: string;
  requestId?: string;
}

/** For a model's document type: `interface Ticket extends WithOutbox { ... }`. */
export interface WithOutbox {
  outbox?: OutboxEntry[];
}

/** Matches the documents holding at least one pending event; the partial index covers exactly these. */
export const PENDING_OUTBOX_FILTER = { 'outbox.at': { $exists: true } } as const;

const OutboxEntrySchema = new Schema<OutboxEntry>(
  {
    _id: { type: String, required: true },
    envelope: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
    traceparent: { type: String },
    requestId: { type: String },
  },
  { minimize: false },
);

/**
 * Gives a schema an `outbox` array, so a change and the events it causes are written by one
 * single-document update (atomic without transactions). The path is not selected by default:
 * repositories never see it, only the relay asks for it. The partial index holds only the
 * documents with pending events, so the relay's query stays cheap however big the collection.
 */
export function outboxPlugin(schema: Schema): void {
  schema.add({ outbox: { type: [OutboxEntrySchema], default: [], select: false } });
  schema.index(
    { 'outbox.at': 1 },
    { partialFilterExpression: PENDING_OUTBOX_FILTER, name: 'outbox_pending' },
  );
}

/**
 * Entries for `Model.create({ ...fields, outbox: outboxEntries(event) })`. They keep the current
 * trace: the relay publishes later, from no request, and would otherwise cut the trace here.
 */
export function outboxEntries(...envelopes: Envelope[]): OutboxEntry[] {
  const at = new Date();
  const ctx = currentTrace();
  const trace = ctx
    ? { traceparent: formatTraceparent(ctx), ...(ctx.requestId ? { requestId: ctx.requestId } : {}) }
    : {};
  return envelopes.map((envelope) => ({ _id: envelope.id, envelope, at, ...trace }));
}

/**
 * Adds the events to an update: `Model.findOneAndUpdate(filter, withOutbox({ $set }, event))`
 * writes the change and its events atomically, or neither when the filter does not match.
 */
export function withOutbox<T = unknown>(
  update: UpdateQuery<NoInfer<T>>,
  ...envelopes: Envelope[]
): UpdateQuery<T> {
  if (envelopes.length === 0) return update;
  const push = (update.$push ?? {}) as Record<string, unknown>;
  const earlier = push.outbox as { $each?: OutboxEntry[] } | OutboxEntry | undefined;
  const before =
    earlier === undefined ? [] : '$each' in earlier ? (earlier.$each ?? []) : [earlier as OutboxEntry];
  return {
    ...update,
    $push: { ...push, outbox: { $each: [...before, ...outboxEntries(...envelopes)] } },
  };
}
