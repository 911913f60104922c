import type { Connection, Model, UpdateQuery } from 'mongoose';
import type { EventHandler } from './delivery.ts';
import { claimEvent, isDuplicateKeyError, type ProcessedEvent } from './event-claim.ts';

export { EventInProgressError, isDuplicateKeyError } from './event-claim.ts';

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';
const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_LEASE_MS = 15_000;

/**
 * Runs `handler` once per event id and consumer, as far as `processed_events` can tell. The event
 * is claimed before the handler runs and marked processed after it resolved, so a copy that
 * arrives meanwhile (a redelivery after a lost connection, a second publish, another replica)
 * waits for the running one and then skips. A failed handler releases its claim for the retry.
 * The claim is a lease, renewed while the handler runs: a copy takes it over only once its
 * holder stopped renewing it (crashed, or cut off from the database for `leaseMs`), and then
 * runs the handler again, because the effect may or may not have been written. Effects that
 * must not repeat even then make themselves idempotent, e.g. with `applyIfNewer`. Markers
 * expire after `ttlMs` (7 days), far longer than any redelivery.
 */
export function idempotentHandler<T>(
  conn: Connection,
  consumer: string,
  handler: EventHandler<T>,
  opts: { ttlMs?: number; leaseMs?: number } = {},
): EventHandler<T> {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
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
    const claim = await claimEvent(markers, event, { consumer, ttlMs, leaseMs, log: ctx.log });
    if (!claim) {
      ctx.log.debug('event already processed, skipped');
      return;
    }
    try {
      await handler(event, ctx);
    } catch (err) {
      await claim.release();
      throw err;
    }
    await claim.complete();
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
