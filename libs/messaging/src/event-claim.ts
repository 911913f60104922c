import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@helpdesk/contracts';
import type { Collection } from 'mongoose';
import type { Logger } from 'pino';

/**
 * One document per consumer and event id. While a handler runs it is a claim (`owner`,
 * `leaseUntil`); once the handler resolved it is a marker (`processedAt`, no lease). Markers
 * written before claims existed have no lease either, so they read as processed.
 */
export interface ProcessedEvent {
  consumer: string;
  eventId: string;
  type: string;
  owner?: string;
  leaseUntil?: Date;
  processedAt?: Date;
  expiresAt: Date;
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** Another copy of the event was still running after the wait: requeue this one and look again later. */
export class EventInProgressError extends Error {
  readonly retryable = true;
  constructor(eventId: string) {
    super(`event ${eventId} is still being handled by another consumer`);
    this.name = 'EventInProgressError';
  }
}

export interface EventClaim {
  /** Turns the claim into the processed marker. */
  complete(): Promise<void>;
  /** Gives the claim up after the handler failed, so that a retry can take it at once. */
  release(): Promise<void>;
}

export interface ClaimOptions {
  consumer: string;
  ttlMs: number;
  leaseMs: number;
  log: Logger;
}

/**
 * Claims `event` for `consumer` before its effect runs; resolves null when the event was
 * processed already. A claim another copy holds is waited for, up to twice the lease: it ends
 * as a marker (skip), is released (claim it), or lapses because its holder stopped renewing it,
 * i.e. died or lost the database (take it over). Still held after that: `EventInProgressError`.
 * The wait polls because the database offers nothing to wait on (no change streams on the
 * stand-in), and only duplicates ever wait.
 */
export async function claimEvent(
  markers: Collection<ProcessedEvent>,
  event: Envelope,
  opts: ClaimOptions,
): Promise<EventClaim | null> {
  const key = { consumer: opts.consumer, eventId: event.id };
  const owner = randomUUID();
  const pollMs = Math.min(250, Math.max(10, opts.leaseMs / 10));
  const deadline = Date.now() + 2 * opts.leaseMs;
  let waiting = false;
  for (;;) {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + opts.leaseMs);
    try {
      await markers.insertOne({
        ...key,
        type: event.type,
        owner,
        leaseUntil,
        expiresAt: new Date(now.getTime() + opts.ttlMs),
      });
      return holdClaim(markers, key, event.type, owner, opts);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await markers.findOne(key);
    // Released between the insert and the read: try again at once.
    if (!existing) continue;
    if (!existing.leaseUntil) return null;
    if (existing.leaseUntil < now) {
      // Matches only while the lapsed holder still owns it: of several waiting copies, one wins.
      const taken = await markers.updateOne(
        { ...key, owner: existing.owner, leaseUntil: { $lt: now } },
        { $set: { owner, leaseUntil } },
      );
      if (taken.matchedCount === 1) {
        opts.log.warn('took over the claim of a handler that stopped renewing it; its effect may repeat');
        return holdClaim(markers, key, event.type, owner, opts);
      }
      continue;
    }
    if (Date.now() >= deadline) throw new EventInProgressError(event.id);
    if (!waiting) opts.log.debug('another copy of the event is being handled, waiting for it');
    waiting = true;
    await sleep(pollMs);
  }
}

function holdClaim(
  markers: Collection<ProcessedEvent>,
  key: { consumer: string; eventId: string },
  type: string,
  owner: string,
  opts: ClaimOptions,
): EventClaim {
  // A renewal still on its way when the claim is completed or released finds no claim; that is
  // no loss.
  let settled = false;
  // Renewed three times per lease, so one slow or failed renewal does not let it lapse.
  const renewal = setInterval(async () => {
    try {
      const kept = await markers.updateOne(
        { ...key, owner },
        { $set: { leaseUntil: new Date(Date.now() + opts.leaseMs) } },
      );
      if (kept.matchedCount === 0 && !settled) {
        clearInterval(renewal);
        opts.log.error('lost the claim on the event while its handler ran; another copy may run it too');
      }
    } catch (err) {
      if (!settled) opts.log.warn({ err }, 'could not renew the claim on the event');
    }
  }, opts.leaseMs / 3);
  renewal.unref();

  return {
    async complete() {
      settled = true;
      clearInterval(renewal);
      const now = new Date();
      // Upsert: if a copy that took over failed and released the claim, our effect still happened.
      const before = await markers.findOneAndUpdate(
        key,
        {
          $set: { processedAt: now, expiresAt: new Date(now.getTime() + opts.ttlMs) },
          $unset: { owner: '', leaseUntil: '' },
          $setOnInsert: { type },
        },
        { upsert: true, returnDocument: 'before' },
      );
      if (before?.owner !== owner) {
        opts.log.warn('the claim had been taken over while the handler ran; the effect may have run twice');
      }
    },
    async release() {
      settled = true;
      clearInterval(renewal);
      try {
        await markers.deleteOne({ ...key, owner, leaseUntil: { $exists: true } });
      } catch (err) {
        // The lease lapses by itself; the retry takes the claim over then.
        opts.log.warn({ err }, 'could not release the claim on the event');
      }
    },
  };
}
