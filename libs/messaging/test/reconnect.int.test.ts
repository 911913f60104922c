import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker, type HandlerContext } from '../src/broker.ts';
import { idempotentHandler, PROCESSED_EVENTS_COLLECTION } from '../src/idempotency.ts';
import {
  captureLogger,
  closeConnectionsNamed,
  rabbitAdmin,
  testEvent,
  trackArrivals,
  uniqueName,
} from './support.ts';

describe('when the broker drops the connection', () => {
  const { amqpUrl, amqpManagementUrl } = testServers();
  const logs = captureLogger();
  const names = { publisher: uniqueName('reconnect-pub'), consumer: uniqueName('reconnect-sub') };
  let publisher: Broker;
  let consumer: Broker;
  let queue: string;
  let mongo: Connection;

  beforeAll(async () => {
    mongo = await mongoose
      .createConnection(uniqueDbUrl(testServers().mongoUrl, 'messaging_reconnect'))
      .asPromise();
  });
  afterAll(async () => {
    await mongo.dropDatabase();
    await mongo.close();
  });

  beforeEach(async () => {
    queue = uniqueName('test.reconnect');
    publisher = await connectBroker({ url: amqpUrl, logger: logs.logger, name: names.publisher });
    consumer = await connectBroker({ url: amqpUrl, logger: logs.logger, name: names.consumer });
  });

  afterEach(async () => {
    await Promise.all([publisher.close(), consumer.close()]);
    const admin = await rabbitAdmin(amqpUrl);
    await admin.deleteQueues(queue);
    await admin.close();
  });

  it('then publisher and consumer reconnect by themselves and later messages still flow', async () => {
    const received: Envelope[] = [];
    const arrivals: Array<PromiseWithResolvers<void>> = [Promise.withResolvers(), Promise.withResolvers()];
    await consumer.consume({
      queue,
      bindings: ['widget.pinged'],
      handler: async (event) => {
        received.push(event);
        arrivals[received.length - 1]?.resolve();
      },
    });
    const before = testEvent('widget.pinged');
    await publisher.publish(before);
    await arrivals[0]?.promise;

    expect(await closeConnectionsNamed(amqpManagementUrl, names.publisher)).toBe(1);
    expect(await closeConnectionsNamed(amqpManagementUrl, names.consumer)).toBe(1);
    const after = testEvent('widget.pinged');
    await publisher.publish(after);
    await arrivals[1]?.promise;

    expect(received.map((e) => e.id)).toEqual([before.id, after.id]);
    await expect(publisher.check()).resolves.toBeUndefined();
    const lost = logs.lines.filter((l) => l.msg === 'lost the broker connection, reconnecting');
    expect(lost.length).toBeGreaterThanOrEqual(2);
  });

  it('then a consumer hears that it subscribed again, once per reconnect and not at the first start', async () => {
    let resubscribed = 0;
    const again = Promise.withResolvers<void>();
    await consumer.consume({
      queue,
      bindings: ['widget.pinged'],
      handler: async () => {},
      onResubscribed: () => {
        resubscribed++;
        again.resolve();
      },
    });
    expect(resubscribed).toBe(0);
    expect(await closeConnectionsNamed(amqpManagementUrl, names.consumer)).toBe(1);
    await again.promise;
    expect(resubscribed).toBe(1);
  });

  it('then the redelivered copy of a message waits for the handler still running on the dead channel, and is acked after it', async () => {
    const arrivals = trackArrivals();
    const calls: HandlerContext[] = [];
    const timeline: string[] = [];
    const firstStarted = Promise.withResolvers<void>();
    const releaseFirst = Promise.withResolvers<void>();
    await consumer.consume({
      queue,
      bindings: ['widget.pinged'],
      schema: arrivals.schema,
      handler: async (_event, ctx) => {
        calls.push(ctx);
        if (calls.length > 1) {
          timeline.push('copy started');
          return;
        }
        timeline.push('first started');
        firstStarted.resolve();
        await releaseFirst.promise;
        timeline.push('first ended');
      },
    });
    try {
      await publisher.publish(testEvent('widget.pinged'));
      await firstStarted.promise;
      await closeConnectionsNamed(amqpManagementUrl, names.consumer);
      await arrivals.until(2);
    } finally {
      // The stranded handler finishes now; its ack goes to a dead channel and changes nothing.
      releaseFirst.resolve();
    }
    // Closing waits for both copies and returns every unacked message: an empty queue proves the ack.
    await consumer.close();

    expect(timeline).toEqual(['first started', 'first ended', 'copy started']);
    expect(calls[1]?.redelivered).toBe(true);
    expect(calls[1]?.attempt).toBeGreaterThanOrEqual(2);
    const admin = await rabbitAdmin(amqpUrl);
    try {
      expect(await admin.messageCount(queue)).toBe(0);
    } finally {
      await admin.close();
    }
    expect(logs.lines.some((l) => l.msg === 'could not settle the message, it will be redelivered')).toBe(
      true,
    );
  });

  it('then the redelivered copy of an event whose idempotent handler was still running does not apply the effect again', async () => {
    const arrivals = trackArrivals();
    const reader = uniqueName('reconnect-reader');
    const effects: string[] = [];
    const firstStarted = Promise.withResolvers<void>();
    const releaseFirst = Promise.withResolvers<void>();
    await consumer.consume({
      queue,
      bindings: ['widget.pinged'],
      schema: arrivals.schema,
      handler: idempotentHandler(mongo, reader, async (event) => {
        effects.push(event.id);
        if (effects.length > 1) return;
        firstStarted.resolve();
        await releaseFirst.promise;
      }),
    });
    const event = testEvent('widget.pinged');
    try {
      await publisher.publish(event);
      await firstStarted.promise;
      await closeConnectionsNamed(amqpManagementUrl, names.consumer);
      await arrivals.until(2);
    } finally {
      releaseFirst.resolve();
    }
    await consumer.close();

    expect(effects).toEqual([event.id]);
    const markers = await mongo.collection(PROCESSED_EVENTS_COLLECTION).find({ consumer: reader }).toArray();
    expect(markers).toEqual([expect.objectContaining({ eventId: event.id, processedAt: expect.any(Date) })]);
    expect(markers[0]).not.toHaveProperty('leaseUntil');
    const admin = await rabbitAdmin(amqpUrl);
    try {
      expect(await admin.messageCount(queue)).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
