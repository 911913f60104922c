import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import mongoose, { type Connection, Schema } from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../src/delivery.ts';
import { applyIfNewer, idempotentHandler, PROCESSED_EVENTS_COLLECTION } from '../src/idempotency.ts';
import { testEvent } from './support.ts';

interface Counter {
  _id: string;
  total: number;
  sequence?: number;
}

const ctx: HandlerContext = { log: pino({ level: 'silent' }), attempt: 1, redelivered: false };

describe('idempotent consumers', () => {
  let conn: Connection;
  let Counters: mongoose.Model<Counter>;

  beforeAll(async () => {
    conn = await mongoose.createConnection(uniqueDbUrl(testServers().mongoUrl, 'messaging_idem')).asPromise();
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
