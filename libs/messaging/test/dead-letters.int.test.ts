import { testServers, waitFor } from '@helpdesk/testkit';
import amqp, { type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker } from '../src/broker.ts';
import { peekDeadLetters, replayDeadLetters } from '../src/dead-letters.ts';
import { PermanentError } from '../src/retry.ts';
import { deadLetterQueueName } from '../src/topology.ts';
import { rabbitAdmin, testEvent, uniqueName } from './support.ts';

describe('dead-letter queues', () => {
  const { amqpUrl } = testServers();
  const logger = pino({ level: 'silent' });
  let broker: Broker;
  let conn: ChannelModel;
  let queue: string;
  let bystander: string;

  beforeEach(async () => {
    queue = uniqueName('test.dlq');
    bystander = uniqueName('test.dlq-bystander');
    broker = await connectBroker({ url: amqpUrl, logger, name: uniqueName('dlq-test') });
    conn = await amqp.connect(amqpUrl);
  });
  afterEach(async () => {
    await broker.close();
    await conn.close();
    const admin = await rabbitAdmin(amqpUrl);
    await admin.deleteQueues(queue, bystander);
    await admin.close();
  });

  it('lists dead letters without removing them, and replays them to their own queue only', async () => {
    let broken = true;
    const handled: string[] = [];
    const bystanderSaw: string[] = [];
    const sentinelSeen = Promise.withResolvers<void>();
    await broker.consume({
      queue,
      bindings: ['widget.flagged'],
      handler: async (event) => {
        if (broken) throw new PermanentError('widget unknown');
        handled.push(event.id);
      },
    });
    await broker.consume({
      queue: bystander,
      bindings: ['widget.flagged', 'widget.sentinel'],
      handler: async (event) => {
        if (event.type === 'widget.sentinel') sentinelSeen.resolve();
        else bystanderSaw.push(event.id);
      },
    });
    const events = [testEvent('widget.flagged'), testEvent('widget.flagged')];
    for (const event of events) await broker.publish(event);
    const admin = await rabbitAdmin(amqpUrl);
    try {
      await waitFor(async () => (await admin.messageCount(deadLetterQueueName(queue))) === 2, {
        description: 'both events dead-lettered',
      });
      const letters = await peekDeadLetters(conn, queue);
      expect(letters.map((l) => l.messageId).sort()).toEqual(events.map((e) => e.id).sort());
      expect(letters[0]).toMatchObject({
        type: 'widget.flagged',
        orgId: 'org-test',
        reason: 'rejected',
        deaths: 1,
        firstDeathAt: expect.any(Date),
      });
      expect(await admin.messageCount(deadLetterQueueName(queue))).toBe(2);

      broken = false;
      expect(await replayDeadLetters(conn, queue)).toBe(2);
      const sentinel = testEvent('widget.sentinel');
      await broker.publish(sentinel);
      await sentinelSeen.promise;
      await expect.poll(() => handled.length).toBe(2);
      expect(handled.sort()).toEqual(events.map((e) => e.id).sort());
      expect(bystanderSaw.sort()).toEqual(events.map((e) => e.id).sort());
      expect(await admin.messageCount(deadLetterQueueName(queue))).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
