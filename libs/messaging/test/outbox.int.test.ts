import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker, type EventHandler } from '../src/broker.ts';
import { makeEnvelope } from '../src/envelope.ts';
import { idempotentHandler, PROCESSED_EVENTS_COLLECTION } from '../src/idempotency.ts';
import { outboxEntries, withOutbox } from '../src/outbox.ts';
import { type OutboxRelay, startOutboxRelay } from '../src/outbox-relay.ts';
import { widgetModel } from './fixtures/widget.model.ts';
import { captureLogger, rabbitAdmin, testEvent, uniqueName } from './support.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/outbox-writer.fixture.ts', import.meta.url));

function widgetEvent(widgetId: string, sequence: number, type = 'widget.updated'): Envelope {
  return makeEnvelope({
    type,
    orgId: 'org-test',
    aggregateId: widgetId,
    sequence,
    actor: { type: 'system', id: 'test' },
    data: { sequence },
  });
}

/** Runs the writer in its own process and resolves with the signal that ended it. */
function runWriter(env: Record<string, string>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('transactional outbox', () => {
  const { amqpUrl } = testServers();
  const mongoUrl = uniqueDbUrl(testServers().mongoUrl, 'messaging_outbox');
  const { logger } = captureLogger();
  let conn: Connection;
  let Widgets: ReturnType<typeof widgetModel>;
  let broker: Broker;
  let relay: OutboxRelay | undefined;
  let queue: string;
  /** Every delivery, duplicates included, in arrival order. */
  let deliveries: Envelope[];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl).asPromise();
    Widgets = widgetModel(conn);
    await Widgets.init();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  beforeEach(async () => {
    queue = uniqueName('test.outbox');
    deliveries = [];
    broker = await connectBroker({ url: amqpUrl, logger, name: uniqueName('outbox-test') });
  });
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await broker.close();
    const admin = await rabbitAdmin(amqpUrl);
    await admin.deleteQueues(queue);
    await admin.close();
  });

  /** Consumes widget events; resolves `until(id)` once the event with that id was handled. */
  async function consumeWidgets(effect: EventHandler = async () => {}) {
    const waiting = new Map<string, () => void>();
    await broker.consume({
      queue,
      bindings: ['widget.*'],
      handler: async (event, ctx) => {
        deliveries.push(event);
        await effect(event, ctx);
        waiting.get(event.id)?.();
      },
    });
    return (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve));
  }

  /** A sentinel published after the relay drained arrives after everything the relay sent. */
  async function settle(until: (id: string) => Promise<void>) {
    const sentinel = testEvent('widget.sentinel');
    const arrived = until(sentinel.id);
    await broker.publish(sentinel);
    await arrived;
    return deliveries.filter((e) => e.type !== 'widget.sentinel');
  }

  it('publishes the events of a change in sequence order, then removes exactly those', async () => {
    const until = await consumeWidgets();
    const id = uniqueName('w');
    const [e1, e2, e3] = [widgetEvent(id, 1, 'widget.created'), widgetEvent(id, 2), widgetEvent(id, 3)];
    await Widgets.create({
      _id: id,
      orgId: 'org-test',
      name: 'a',
      sequence: 3,
      outbox: outboxEntries(e3, e1, e2),
    });

    relay = startOutboxRelay({ models: [Widgets], broker, logger });
    await relay.drained();

    expect((await settle(until)).map((e) => e.sequence)).toEqual([1, 2, 3]);
    const stored = await Widgets.findById(id).select('+outbox').lean();
    expect(stored?.outbox).toEqual([]);
    expect(await Widgets.findById(id).lean()).not.toHaveProperty('outbox');
  });

  it('writes no event when the conditional update does not apply (no phantom events)', async () => {
    const until = await consumeWidgets();
    const id = uniqueName('w');
    await Widgets.create({ _id: id, orgId: 'org-test', name: 'a', sequence: 1 });
    const applied = await Widgets.findOneAndUpdate(
      { _id: id, sequence: 1 },
      withOutbox({ $set: { name: 'b' }, $inc: { sequence: 1 } }, widgetEvent(id, 2)),
      { returnDocument: 'after' },
    );
    const stale = await Widgets.findOneAndUpdate(
      { _id: id, sequence: 1 },
      withOutbox({ $set: { name: 'c' }, $inc: { sequence: 1 } }, widgetEvent(id, 2)),
    );
    expect(applied?.name).toBe('b');
    expect(stale).toBeNull();

    relay = startOutboxRelay({ models: [Widgets], broker, logger });
    await relay.drained();
    expect((await settle(until)).map((e) => [e.aggregateId, e.sequence])).toEqual([[id, 2]]);
  });

  it('when the writer dies before publishing, a relay started later publishes the event once', async () => {
    const until = await consumeWidgets();
    const widgetId = uniqueName('w');
    const eventId = uuidv7();

    const signal = await runWriter({
      MONGO_URL: mongoUrl,
      AMQP_URL: amqpUrl,
      WIDGET_ID: widgetId,
      EVENT_ID: eventId,
      CRASH: 'before-publish',
    });
    expect(signal).toBe('SIGKILL');
    const pending = await Widgets.findById(widgetId).select('+outbox').lean();
    expect(pending?.outbox?.map((entry) => entry._id)).toEqual([eventId]);

    relay = startOutboxRelay({ models: [Widgets], broker, logger });
    await relay.drained();
    expect((await settle(until)).map((e) => e.id)).toEqual([eventId]);
  });

  it('when the writer dies after publishing but before the pull, the event comes twice and applies once', async () => {
    let effects = 0;
    const widgetId = uniqueName('w');
    const eventId = uuidv7();
    const until = await consumeWidgets(
      idempotentHandler(conn, 'widget-counter', async (event) => {
        if (event.id === eventId) effects += 1;
      }),
    );

    const signal = await runWriter({
      MONGO_URL: mongoUrl,
      AMQP_URL: amqpUrl,
      WIDGET_ID: widgetId,
      EVENT_ID: eventId,
      CRASH: 'after-publish',
    });
    expect(signal).toBe('SIGKILL');
    const pending = await Widgets.findById(widgetId).select('+outbox').lean();
    expect(pending?.outbox?.map((entry) => entry._id)).toEqual([eventId]);

    relay = startOutboxRelay({ models: [Widgets], broker, logger });
    await relay.drained();
    expect((await settle(until)).map((e) => e.id)).toEqual([eventId, eventId]);
    expect(effects).toBe(1);
    const markers = await conn.collection(PROCESSED_EVENTS_COLLECTION).countDocuments({ eventId });
    expect(markers).toBe(1);
  });
});
