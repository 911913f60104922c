import type { Envelope } from '@helpdesk/contracts';
import { testServers } from '@helpdesk/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker } from '../src/broker.ts';
import { captureLogger, closeConnectionsNamed, rabbitAdmin, testEvent, uniqueName } from './support.ts';

describe('when the broker drops the connection', () => {
  const { amqpUrl, amqpManagementUrl } = testServers();
  const logs = captureLogger();
  const names = { publisher: uniqueName('reconnect-pub'), consumer: uniqueName('reconnect-sub') };
  let publisher: Broker;
  let consumer: Broker;
  let queue: string;

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

  it('then a message whose handler had not finished is delivered again and acked once done', async () => {
    const attempts: Array<{ attempt: number; redelivered: boolean }> = [];
    const firstStarted = Promise.withResolvers<void>();
    const secondDone = Promise.withResolvers<void>();
    const neverEnds = Promise.withResolvers<void>();
    await consumer.consume({
      queue,
      bindings: ['widget.pinged'],
      handler: async (_event, ctx) => {
        attempts.push({ attempt: ctx.attempt, redelivered: ctx.redelivered });
        if (attempts.length === 1) {
          firstStarted.resolve();
          await neverEnds.promise;
          return;
        }
        secondDone.resolve();
      },
    });
    try {
      await publisher.publish(testEvent('widget.pinged'));
      await firstStarted.promise;
      await closeConnectionsNamed(amqpManagementUrl, names.consumer);
      await secondDone.promise;
    } finally {
      // The stranded handler finishes now; its ack goes to a dead channel and changes nothing.
      neverEnds.resolve();
    }

    expect(attempts[1]?.redelivered).toBe(true);
    expect(attempts[1]?.attempt).toBeGreaterThanOrEqual(2);
    // Closing returns every unacked message to the queue: an empty queue proves the ack.
    await consumer.close();
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
});
