import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';
import mongoose, { type Connection, Schema } from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventHandler, HandlerContext } from '../src/delivery.ts';
import {
  applyIfNewer,
  EventInProgressError,
  idempotentHandler,
  PROCESSED_EVENTS_COLLECTION,
} from '../src/idempotency.ts';
import { captureLogger, testEvent, uniqueName } from './support.ts';

const CLAIM_HOLDER = fileURLToPath(new URL('./fixtures/claim-holder.fixture.ts', import.meta.url));

/** Runs the claim holder in its own process and resolves with the signal that ended it. */
function runClaimHolder(env: Record<string, string>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAIM_HOLDER], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

/** An effect whose first run blocks until `release()`; every run is recorded in `runs`. */
function blockingEffect() {
  const runs: string[] = [];
  const started = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const effect: EventHandler = async (event) => {
    runs.push(event.id);
    if (runs.length > 1) return;
    started.resolve();
    await released.promise;
  };
  return { effect, runs, started: started.promise, release: () => released.resolve() };
}

interface Counter {
  _id: string;
  total: number;
  sequence?: number;
}

const ctx: HandlerContext = { log: pino({ level: 'silent' }), attempt: 1, redelivered: false };

describe('idempotent consumers', () => {
  const mongoUrl = uniqueDbUrl(testServers().mongoUrl, 'messaging_idem');
  let conn: Connection;
  let Counters: mongoose.Model<Counter>;

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl).asPromise();
    const schema = new Schema<Counter>({ _id: String, total: Number, sequence: Number });
    Counters = conn.model<Counter>('Counter', schema, 'counters');
    await Counters.init();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  describe('idempotentHandler', () => {
    it('runs the effect once per event id and consumer', async () => {
      const seen: string[] = [];
      const handle = idempotentHandler(conn, 'test-a', async (event) => {
        seen.push(event.id);
      });
      const other = idempotentHandler(conn, 'test-b', async (event) => {
        seen.push(`b:${event.id}`);
      });
      const [e1, e2] = [testEvent('widget.noted'), testEvent('widget.noted')];
      await handle(e1, ctx);
      await handle(e1, ctx);
      await handle(e2, ctx);
      await other(e1, ctx);
      expect(seen).toEqual([e1.id, e2.id, `b:${e1.id}`]);
      const marker = await conn
        .collection(PROCESSED_EVENTS_COLLECTION)
        .findOne({ consumer: 'test-a', eventId: e1.id });
      expect(marker?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    });

    it('writes no marker when the effect failed, so a retry runs it again', async () => {
      let calls = 0;
      const handle = idempotentHandler(conn, 'test-c', async () => {
        calls += 1;
        if (calls === 1) throw new Error('transient');
      });
      const event = testEvent('widget.noted');
      await expect(handle(event, ctx)).rejects.toThrow('transient');
      await handle(event, ctx);
      await handle(event, ctx);
      expect(calls).toBe(2);
    });
    it('when a second copy arrives while the first runs (another replica), it waits for it and skips', async () => {
      const logs = captureLogger();
      const consumer = uniqueName('test-d');
      const { effect, runs, started, release } = blockingEffect();
      const [replicaA, replicaB] = [
        idempotentHandler(conn, consumer, effect),
        idempotentHandler(conn, consumer, effect),
      ];
      const event = testEvent('widget.noted');

      const first = replicaA(event, ctx);
      await started;
      const second = replicaB(event, { ...ctx, log: logs.logger });
      await waitFor(
        () => logs.lines.some((l) => l.msg === 'another copy of the event is being handled, waiting for it'),
        {
          description: 'the second copy waiting',
        },
      );
      release();
      await Promise.all([first, second]);

      expect(runs).toEqual([event.id]);
      expect(logs.lines.some((l) => l.msg === 'event already processed, skipped')).toBe(true);
    });

    it('when the running copy keeps its claim alive past the wait, the other fails with a retryable error', async () => {
      const consumer = uniqueName('test-e');
      const { effect, runs, started, release } = blockingEffect();
      // The waiter gives up after twice the lease; a holder that did not renew would have lost it by then.
      const [replicaA, replicaB] = [
        idempotentHandler(conn, consumer, effect, { leaseMs: 400 }),
        idempotentHandler(conn, consumer, effect, { leaseMs: 400 }),
      ];
      const event = testEvent('widget.noted');

      const first = replicaA(event, ctx);
      await started;
      const error = await replicaB(event, ctx).catch((err: unknown) => err);
      release();
      await first;

      expect(error).toBeInstanceOf(EventInProgressError);
      expect(error).toMatchObject({ retryable: true });
      expect(runs).toEqual([event.id]);
      await replicaB(event, ctx);
      expect(runs).toEqual([event.id]);
    });

    it('when the claimer died in the middle of the effect, a later copy takes the claim over and runs it', async () => {
      const logs = captureLogger();
      const consumer = uniqueName('test-f');
      const event = testEvent('widget.noted');
      const signal = await runClaimHolder({
        MONGO_URL: mongoUrl,
        CONSUMER: consumer,
        EVENT_ID: event.id,
        LEASE_MS: '300',
      });
      expect(signal).toBe('SIGKILL');

      const runs: string[] = [];
      const handle = idempotentHandler(
        conn,
        consumer,
        async (e) => {
          runs.push(e.id);
        },
        { leaseMs: 300 },
      );
      await handle(event, { ...ctx, log: logs.logger });
      await handle(event, { ...ctx, log: logs.logger });

      expect(runs).toEqual([event.id]);
      expect(
        logs.lines.some((l) => l.msg.startsWith('took over the claim of a handler that stopped renewing it')),
      ).toBe(true);
      const marker = await conn
        .collection(PROCESSED_EVENTS_COLLECTION)
        .findOne({ consumer, eventId: event.id });
      expect(marker).toMatchObject({ type: 'widget.noted', processedAt: expect.any(Date) });
      expect(marker).not.toHaveProperty('leaseUntil');
    });
  });

  describe('applyIfNewer', () => {
    it('applies newer sequences only and drops duplicates and stale events', async () => {
      await Counters.create({ _id: 'c1', total: 0 });
      const bump = (sequence: number) =>
        applyIfNewer(Counters, { _id: 'c1' }, sequence, { $inc: { total: 1 } });
      expect(await bump(1)).toBe(true);
      expect(await bump(1)).toBe(false);
      expect(await bump(3)).toBe(true);
      expect(await bump(2)).toBe(false);
      expect(await Counters.findById('c1').lean()).toMatchObject({ total: 2, sequence: 3 });
    });

    it('creates the document on upsert and treats a stale upsert as not applied', async () => {
      const set = (sequence: number, total: number) =>
        applyIfNewer(Counters, { _id: 'c2' }, sequence, { $set: { total } }, { upsert: true });
      expect(await set(5, 50)).toBe(true);
      expect(await set(4, 40)).toBe(false);
      expect(await set(6, 60)).toBe(true);
      expect(await Counters.findById('c2').lean()).toMatchObject({ total: 60, sequence: 6 });
    });
  });
});
