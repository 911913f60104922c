import { type Envelope, eventSchema } from '@helpdesk/contracts';
import { testServers, waitFor } from '@helpdesk/testkit';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Broker, connectBroker } from '../src/broker.ts';
import { DEAD_LETTER_EXCHANGE, deadLetterQueueName, EVENTS_EXCHANGE } from '../src/topology.ts';
import { captureLogger, rabbitAdmin, testEvent, uniqueName } from './support.ts';

const NotedSchema = eventSchema('widget.noted', z.object({ note: z.string() }));

describe('broker', () => {
  const { amqpUrl } = testServers();
  let broker: Broker;
  let admin: Awaited<ReturnType<typeof rabbitAdmin>>;
  let registry: Registry;
  let logs: ReturnType<typeof captureLogger>;
  let queue: string;

  beforeEach(async () => {
    registry = new Registry();
    logs = captureLogger();
    queue = uniqueName('test.broker');
    broker = await connectBroker({
      url: amqpUrl,
      logger: logs.logger,
      name: uniqueName('broker-test'),
      registry,
    });
    admin = await rabbitAdmin(amqpUrl);
  });

  afterEach(async () => {
    await broker.close();
    await admin.deleteQueues(queue);
    await admin.close();
  });

  async function consumed(outcome: string): Promise<string> {
    const text = await registry.getSingleMetricAsString('messaging_events_consumed_total');
    return text.split('\n').find((line) => line.includes(`outcome="${outcome}"`)) ?? '';
  }

  it('delivers a published event, retrying a handler that failed once with attempt 2', async () => {
    const attempts: Array<{ attempt: number; redelivered: boolean }> = [];
    const done = Promise.withResolvers<Envelope>();
    await broker.consume({
      queue,
      bindings: ['widget.noted'],
      schema: NotedSchema,
      retryDelayMs: 10,
      handler: async (event, ctx) => {
        attempts.push({ attempt: ctx.attempt, redelivered: ctx.redelivered });
        if (ctx.attempt === 1) throw new Error('database briefly away');
        done.resolve(event);
      },
    });
    const sent = testEvent('widget.noted', { note: 'hello' });
    await broker.publish(sent);

    expect(await done.promise).toEqual(sent);
    expect(attempts).toEqual([
      { attempt: 1, redelivered: false },
      { attempt: 2, redelivered: true },
    ]);
    await expect(broker.check()).resolves.toBeUndefined();
    expect(await registry.getSingleMetricAsString('messaging_events_published_total')).toContain(
      'messaging_events_published_total{type="widget.noted"} 1',
    );
    expect(await consumed('retry')).toMatch(/ 1$/);
    expect(logs.lines.some((l) => l.msg === 'handler failed, will retry' && l.messageId === sent.id)).toBe(
      true,
    );
  });

  it('sends a message its schema rejects to <queue>.dlq at once, without calling the handler', async () => {
    let calls = 0;
    await broker.consume({
      queue,
      bindings: ['widget.noted'],
      schema: NotedSchema,
      handler: async () => {
        calls += 1;
      },
    });
    const poison = testEvent('widget.noted', { note: 42 });
    admin.channel.publish(EVENTS_EXCHANGE, 'widget.noted', Buffer.from(JSON.stringify(poison)), {
      messageId: poison.id,
    });

    const dead = await admin.nextMessage(deadLetterQueueName(queue));
    expect(JSON.parse(dead.content.toString())).toEqual(poison);
    const death = dead.properties.headers?.['x-death']?.[0];
    expect(death).toMatchObject({ queue, reason: 'rejected', count: 1, exchange: EVENTS_EXCHANGE });
    expect(dead.fields.exchange).toBe(DEAD_LETTER_EXCHANGE);
    expect(calls).toBe(0);
    expect(await consumed('dead')).toMatch(/ 1$/);
  });

  it('dead-letters a message whose handler always fails after maxAttempts, and stops there', async () => {
    const attempts: number[] = [];
    await broker.consume({
      queue,
      bindings: ['widget.noted'],
      maxAttempts: 3,
      retryDelayMs: 5,
      handler: async (_event, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('always down');
      },
    });
    const sent = testEvent('widget.noted', { note: 'doomed' });
    await broker.publish(sent);

    const dead = await admin.nextMessage(deadLetterQueueName(queue));
    expect(dead.properties.messageId).toBe(sent.id);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await admin.messageCount(queue)).toBe(0);
    expect(await consumed('retry')).toMatch(/ 2$/);
    expect(await consumed('dead')).toMatch(/ 1$/);
  });

  it('gives every exclusive consumer its own copy (per-instance fan-out)', async () => {
    const other = await connectBroker({ url: amqpUrl, logger: logs.logger, name: uniqueName('broker-test') });
    try {
      const copies = [Promise.withResolvers<string>(), Promise.withResolvers<string>()];
      for (const [i, b] of [broker, other].entries()) {
        await b.consume({
          queue: 'test.revocations',
          bindings: ['widget.revoked'],
          exclusive: true,
          handler: async (event) => copies[i]?.resolve(event.id),
        });
      }
      const sent = testEvent('widget.revoked');
      await broker.publish(sent);
      expect(await Promise.all(copies.map((c) => c.promise))).toEqual([sent.id, sent.id]);
    } finally {
      await other.close();
    }
  });

  it('waits for in-flight handlers when cancelled, then takes no more messages', async () => {
    const gate = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    const handled: string[] = [];
    const consumer = await broker.consume({
      queue,
      bindings: ['widget.noted'],
      handler: async (event) => {
        started.resolve();
        await gate.promise;
        handled.push(event.id);
      },
    });
    const first = testEvent('widget.noted');
    await broker.publish(first);
    await started.promise;
    const cancelled = consumer.cancel();
    let done = false;
    void cancelled.then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    gate.resolve();
    await cancelled;
    expect(handled).toEqual([first.id]);

    await broker.publish(testEvent('widget.noted'));
    expect(handled).toEqual([first.id]);
    expect(await admin.messageCount(queue)).toBe(1);
  });

  it('refuses a queue that exists with other arguments', async () => {
    await broker.consume({ queue, bindings: ['widget.noted'], handler: async () => {} });
    const other = await connectBroker({ url: amqpUrl, logger: logs.logger, name: uniqueName('broker-test') });
    try {
      await expect(
        other.consume({ queue, bindings: ['widget.noted'], maxAttempts: 9, handler: async () => {} }),
      ).rejects.toThrow(/PRECONDITION_FAILED/);
    } finally {
      await other.close();
    }
  });

  it('declares its queue again when it is deleted under a running consumer', async () => {
    const received = Promise.withResolvers<string>();
    await broker.consume({ queue, bindings: ['widget.noted'], handler: async (e) => received.resolve(e.id) });
    await admin.channel.deleteQueue(queue);
    await waitFor(() => admin.queueExists(queue), { description: 'queue declared again' });
    const sent = testEvent('widget.noted');
    await broker.publish(sent);
    expect(await received.promise).toBe(sent.id);
    expect(logs.lines.some((l) => l.msg === 'the broker cancelled the consumer')).toBe(true);
  });

  it('rejects publishing and readiness once closed', async () => {
    await broker.close();
    await expect(broker.check()).rejects.toThrow(/closed/);
    await expect(broker.publish(testEvent('widget.noted'))).rejects.toThrow(/closed/);
  });
});
