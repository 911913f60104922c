import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Broker } from './broker.ts';
import { outboxMetrics } from './metrics.ts';
import { type OutboxEntry, PENDING_OUTBOX_FILTER } from './outbox.ts';
import { runWithoutTrace } from './trace-context.ts';

export interface OutboxRelayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the relay reads only `_id` and `outbox`, whatever the model
  models: Model<any>[];
  broker: Pick<Broker, 'publish'>;
  logger: Logger;
  /**
   * How often the relay looks for pending events with a query over the whole collection: the
   * safety net for writes nobody kicked about (a crashed process's), and for failed rounds.
   * Default 1 s.
   */
  intervalMs?: number;
  /** How often the backlog gauge is refreshed (a count over the collection). Default 15 s. */
  backlogIntervalMs?: number;
  /** Documents per model per query. Default 100. */
  batchSize?: number;
  registry?: Registry;
}

/** The document a write just gave events to, so the relay reads it by `_id` instead of searching. */
export interface OutboxHint {
  // biome-ignore lint/suspicious/noExplicitAny: see OutboxRelayOptions.models
  model: Model<any>;
  id: unknown;
  /**
   * The document's whole pending outbox as the write left it: what a fresh insert wrote, or the
   * `outbox` of the document a `findOneAndUpdate` returned after its change. With it the relay
   * publishes without reading the document at all; without it, it reads the document by `_id`.
   * Never just the write's own events: older ones still pending would then wait for the sweep.
   * Only after the write succeeded: the relay publishes these entries as they are.
   */
  outbox?: OutboxEntry[];
}

export interface OutboxRelay {
  /**
   * Publish now; cheap to call after every write, calls during a round merge into one more. With
   * a hint that carries the document's outbox the round publishes it without any read; with a
   * bare hint it reads just that document by `_id` (cheap however big the collection); without
   * one it searches every model for pending events.
   */
  kick(hint?: OutboxHint): void;
  /** Stops the loop after the round in flight. */
  stop(): Promise<void>;
  /** Resolves once everything pending at the time of the call has been published. */
  drained(): Promise<void>;
}

interface PendingDoc {
  _id: unknown;
  outbox: OutboxEntry[];
}

/** Per hinted document: the entries its hints carried (by event id), or `read` when one had none. */
type HintedDocs = Map<unknown, Map<string, OutboxEntry> | 'read'>;

/** What a round published of one document. */
interface Published {
  id: unknown;
  published: string[];
  complete: boolean;
}

/** How many published-and-pulled event ids a relay remembers (a few hundred KB at most). */
const SENT_MEMORY = 4_096;

/**
 * Publishes what the outbox holds, oldest documents first, a document's events in sequence
 * order, each confirmed by the broker before the exact published ids are pulled. A crash between
 * publish and pull publishes again later: delivery is at least once and consumers dedupe. Run one
 * relay per process; relays of several processes may publish the same event twice, which is
 * equally safe.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const log = opts.logger.child({ component: 'outbox-relay' });
  const batchSize = opts.batchSize ?? 100;
  const metrics = outboxMetrics(opts.registry);
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let waiters: Array<PromiseWithResolvers<void>> = [];
  // biome-ignore lint/suspicious/noExplicitAny: see OutboxRelayOptions.models
  let hinted = new Map<Model<any>, HintedDocs>();
  let sweep = true;
  // A hint's entries are the outbox as its write saw it, so one that reaches a round late (kicks
  // merged, or a write that raced an earlier round) may name events already published and pulled.
  // Reading the document would tell; remembering what went out tells without a read. The memory
  // is bounded and per process: an entry older than the last SENT_MEMORY events, or pulled by
  // another replica's relay, is published again: a duplicate like a crash's, which consumers
  // drop, and rare, since a hint is stale only for the length of one round.
  const sent = new Set<string>();
  const remember = (ids: string[]) => {
    for (const id of ids) sent.add(id);
    for (const id of sent) {
      if (sent.size <= SENT_MEMORY) break;
      sent.delete(id);
    }
  };

  /**
   * Publishes a document's pending events in sequence order and says which went out; a failure
   * stops its later events, so consumers never see them before it. The caller pulls them.
   */
  async function publishDocument(doc: PendingDoc): Promise<Published> {
    const entries = [...doc.outbox].sort(
      (a, b) =>
        a.envelope.sequence - b.envelope.sequence || new Date(a.at).getTime() - new Date(b.at).getTime(),
    );
    const published: string[] = [];
    for (const entry of entries) {
      try {
        await opts.broker.publish(entry.envelope, {
          traceparent: entry.traceparent,
          requestId: entry.requestId,
        });
        published.push(entry._id);
      } catch (err) {
        log.warn({ err, eventId: entry._id, type: entry.envelope.type }, 'cannot publish, will retry');
        break;
      }
    }
    return { id: doc._id, published, complete: published.length === entries.length };
  }

  /**
   * Pulls what went out of each document, in one command for all of a round's documents of a
   * model: under load a round serves many writes, and one round trip per document was most of the
   * relay's cost. Until the pull succeeds nothing counts as sent, so a failed pull means the
   * events go out again (at least once, as after a crash).
   */
  // biome-ignore lint/suspicious/noExplicitAny: see OutboxRelayOptions.models
  async function pullPublished(model: Model<any>, done: Published[]): Promise<boolean> {
    const pulled = done.filter((d) => d.published.length > 0);
    if (pulled.length > 0) {
      await model.bulkWrite(
        pulled.map((d) => ({
          updateOne: {
            filter: { _id: d.id },
            update: { $pull: { outbox: { _id: { $in: d.published } } } },
          },
        })),
        // A pull mongoose cannot cast would otherwise be dropped without an error, and its
        // events counted as sent while they stay in the outbox.
        { ordered: false, throwOnValidationError: true },
      );
      for (const d of pulled) remember(d.published);
    }
    return done.every((d) => d.complete);
  }

  /**
   * The hinted documents only: from the entries their hints carried, else read by `_id`; `failed`
   * leaves them to the next sweep.
   */
  async function hintedRound(): Promise<'drained' | 'failed'> {
    const batch = hinted;
    hinted = new Map();
    const results = await Promise.all(
      [...batch].map(async ([model, docs]) => {
        const done = await Promise.all(
          [...docs].map(async ([id, carried]): Promise<Published> => {
            if (carried !== 'read') {
              const outbox = [...carried.values()].filter((entry) => !sent.has(entry._id));
              return publishDocument({ _id: id, outbox });
            }
            const doc = (await model.findOne({ _id: id }, { _id: 1, outbox: 1 }).lean()) as PendingDoc | null;
            return publishDocument({ _id: id, outbox: doc?.outbox ?? [] });
          }),
        );
        return pullPublished(model, done);
      }),
    );
    if (results.includes(false)) sweep = true;
    return results.includes(false) ? 'failed' : 'drained';
  }

  /** `drained`: every pending document fitted in the batch and went out. */
  async function round(): Promise<'drained' | 'more' | 'failed'> {
    if (!sweep) return hintedRound();
    sweep = false;
    hinted = new Map();
    let outcome: 'drained' | 'more' | 'failed' = 'drained';
    for (const model of opts.models) {
      const docs = (await model
        .find(PENDING_OUTBOX_FILTER, { _id: 1, outbox: 1 })
        .sort({ 'outbox.at': 1 })
        .limit(batchSize)
        .lean()) as PendingDoc[];
      const complete = await pullPublished(model, await Promise.all(docs.map(publishDocument)));
      if (!complete) outcome = 'failed';
      else if (docs.length >= batchSize && outcome === 'drained') outcome = 'more';
    }
    return outcome;
  }

  async function loop(): Promise<void> {
    do {
      again = false;
      const waiting = waiters;
      waiters = [];
      let outcome: 'drained' | 'more' | 'failed' = 'failed';
      try {
        outcome = await round();
      } catch (err) {
        sweep = true;
        log.error({ err }, 'outbox round failed');
      }
      if (outcome === 'drained') {
        for (const waiter of waiting) waiter.resolve();
      } else {
        waiters.unshift(...waiting);
        // After a failure the interval tries again, rather than spinning against a broker that is down.
        if (outcome === 'more') {
          again = true;
          sweep = true;
        }
      }
    } while (again && !stopped);
  }

  function kick(hint?: OutboxHint): void {
    if (stopped) return;
    if (hint) {
      const docs: HintedDocs = hinted.get(hint.model) ?? new Map();
      const carried = docs.get(hint.id);
      if (!hint.outbox || carried === 'read') {
        // A read at the round sees every write so far, so it supersedes whatever hints carried.
        docs.set(hint.id, 'read');
      } else {
        // Each hint is a superset of what was pending before its write, but kicks can arrive out
        // of write order: their union misses nothing a later one would have carried.
        const entries = carried ?? new Map<string, OutboxEntry>();
        for (const entry of hint.outbox) entries.set(entry._id, entry);
        docs.set(hint.id, entries);
      }
      hinted.set(hint.model, docs);
    } else {
      sweep = true;
    }
    if (running) {
      again = true;
      return;
    }
    // A round serves every write since the last one, not the request that happened to kick it.
    running = runWithoutTrace(loop).finally(() => {
      running = null;
      // A kick that came after the loop's last check must not be lost.
      if (again) kick();
    });
  }

  async function measureBacklog(): Promise<void> {
    for (const model of opts.models) {
      const count = await model.countDocuments(PENDING_OUTBOX_FILTER);
      metrics.backlog.set({ collection: model.collection.collectionName }, count);
    }
  }

  const timer = setInterval(() => kick(), opts.intervalMs ?? 1_000);
  timer.unref();
  const gauge = () => measureBacklog().catch((err) => log.warn({ err }, 'cannot measure the outbox backlog'));
  const backlogTimer = setInterval(gauge, opts.backlogIntervalMs ?? 15_000);
  backlogTimer.unref();
  gauge();
  kick();

  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(backlogTimer);
      await running;
      for (const w of waiters.splice(0)) w.reject(new Error('the outbox relay was stopped'));
    },
    drained() {
      if (stopped) return Promise.reject(new Error('the outbox relay was stopped'));
      const waiter = Promise.withResolvers<void>();
      waiters.push(waiter);
      kick();
      return waiter.promise;
    },
  };
}
