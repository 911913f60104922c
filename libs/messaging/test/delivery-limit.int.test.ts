import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { testServers, waitFor } from '@helpdesk/testkit';
import amqp, { type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker } from '../src/broker.ts';
import { peekDeadLetters } from '../src/dead-letters.ts';
import { deadLetterQueueName, declareQueue } from '../src/topology.ts';
import { rabbitAdmin, testEvent, uniqueName } from './support.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/crashing-consumer.fixture.ts', import.meta.url));
/** Small, so the loop stays short: the queue's delivery limit is `MAX_ATTEMPTS - 1`. */
const MAX_ATTEMPTS = 3;

describe('when a message kills its consumer process every time', () => {
  const { amqpUrl } = testServers();
  let broker: Broker;
  let conn: ChannelModel;
  let queue: string;
  const children = new Set<ChildProcess>();

  beforeEach(async () => {
    queue = uniqueName('test.crash');
    broker = await connectBroker({
      url: amqpUrl,
      logger: pino({ level: 'silent' }),
      name: uniqueName('crash-test'),
    });
    conn = await amqp.connect(amqpUrl);
  });
  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    await broker.close();
    await conn.close();
    const admin = await rabbitAdmin(amqpUrl);
    await admin.deleteQueues(queue);
    await admin.close();
  });

  /** Starts the consumer in its own process; resolves with the signal that ended it. */
  function startConsumer(): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } {
    const child = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, AMQP_URL: amqpUrl, QUEUE: queue, MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
      stdio: 'inherit',
    });
    children.add(child);
    const exited = once(child, 'exit').then(([, signal]) => signal as NodeJS.Signals | null);
    return { child, exited };
  }

  it('then the broker dead-letters it after maxAttempts deliveries and the restart loop ends', async () => {
    const admin = await rabbitAdmin(amqpUrl);
    try {
      // Declared here so the message has a queue to wait in before any consumer runs.
      await declareQueue(admin.channel, {
        queue,
        bindings: ['widget.poison'],
        maxAttempts: MAX_ATTEMPTS,
        exclusive: false,
      });
      const poison = testEvent('widget.poison');
      await broker.publish(poison);
      let deadLettered = false;
      const inDlq = waitFor(async () => (await admin.messageCount(deadLetterQueueName(queue))) > 0, {
        timeoutMs: 30_000,
        description: 'the poison message in the DLQ',
      }).then(() => {
        deadLettered = true;
      });

      // A supervisor's restart loop, bounded: a broken limit would crash it every time.
      const endings: Array<Promise<NodeJS.Signals | null>> = [];
      while (!deadLettered && endings.length < MAX_ATTEMPTS + 2) {
        const { child, exited } = startConsumer();
        endings.push(exited);
        await Promise.race([exited, inDlq]);
        // Still running: the message went to the DLQ instead of to this consumer.
        if (deadLettered && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      }
      await inDlq;

      const signals = await Promise.all(endings);
      // Each delivery killed a consumer; a consumer started after that saw nothing and was stopped.
      expect(signals.slice(0, MAX_ATTEMPTS)).toEqual(Array(MAX_ATTEMPTS).fill('SIGKILL'));
      expect(signals.slice(MAX_ATTEMPTS).every((signal) => signal === 'SIGTERM')).toBe(true);
      expect(await peekDeadLetters(conn, queue)).toEqual([
        expect.objectContaining({ messageId: poison.id, reason: 'delivery_limit' }),
      ]);
      expect(await admin.messageCount(queue)).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
