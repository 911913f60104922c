import type { Connection, Model, UpdateQuery } from 'mongoose';
import type { EventHandler } from './delivery.ts';

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';
const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;

interface ProcessedEvent {
  consumer: string;
  eventId: string;
  type: string;
  processedAt: Date;
  expiresAt: Date;
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Runs `handler` at most once per event id and consumer, as far as a marker can tell: the marker
 * in `processed_events` is written after the handler resolved, so a crash (or a failed marker
 * write) between the two runs the handler again on redelivery. Two copies of one event handled
 * at the same moment can also both pass the check. Effects that must not happen twice either way
 * make themselves idempotent, e.g. with `applyIfNewer`. Markers expire after `ttlMs` (7 days),
 * far longer than any redelivery.
 */
export function idempotentHandler<T>(
  conn: Connection,
  consumer: string,
  handler: EventHandler<T>,
  opts: { ttlMs?: number } = {},
): EventHandler<T> {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const markers = conn.collection<ProcessedEvent>(PROCESSED_EVENTS_COLLECTION);
  let indexes: Promise<unknown> | null = null;
  const ensureIndexes = () => {
    indexes ??= Promise.all([
      markers.createIndex({ consumer: 1, eventId: 1 }, { unique: true, name: 'consumer_event' }),
      markers.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiry' }),
    ]).catch((err: unknown) => {
      indexes = null;
      throw err;
    });
    return indexes;
  };

  return async (event, ctx) => {
    await ensureIndexes();
    const seen = await markers.findOne({ consumer, eventId: event.id }, { projection: { _id: 1 } });
    if (seen) {
      ctx.log.debug('event already processed, skipped');
      return;
    }
    await handler(event, ctx);
    const now = new Date();
    try {
      await markers.insertOne({
        consumer,
        eventId: event.id,
        type: event.type,
        processedAt: now,
        expiresAt: new Date(now.getTime() + ttlMs),
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  };
}

/**
 * Applies `update` to the document matching `filter` only if its stored sequence (the `field`
 * path, default `sequence`, which the schema must declare) is lower than `sequence` or absent,
 * and stores `sequence` with it, in one conditional update. Duplicates and stale events change
 * nothing. Returns whether it applied. With `upsert`, a unique index on the filter's fields is
 * needed: a stale event then fails the insert, which counts as not applied.
 */
export async function applyIfNewer(
  // biome-ignore lint/suspicious/noExplicitAny: works on any read model that declares the sequence field
  model: Model<any>,
  filter: Record<string, unknown>,
  sequence: number,
  // biome-ignore lint/suspicious/noExplicitAny: the update is the caller's, typed by its model
  update: UpdateQuery<any>,
  opts: { field?: string; upsert?: boolean } = {},
): Promise<boolean> {
  const field = opts.field ?? 'sequence';
  const newer = [{ [field]: { $lt: sequence } }, { [field]: { $exists: false } }];
  const guarded = '$or' in filter ? { $and: [filter, { $or: newer }] } : { ...filter, $or: newer };
  const guardedUpdate = { ...update, $set: { ...(update.$set ?? {}), [field]: sequence } };
  try {
    const result = await model.updateOne(guarded, guardedUpdate, { upsert: opts.upsert ?? false });
    return result.matchedCount + result.upsertedCount > 0;
  } catch (err) {
    if (opts.upsert && isDuplicateKeyError(err)) return false;
    throw err;
  }
}
