import { Writable } from 'node:stream';
import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, connectBroker } from '../src/broker.ts';
import { makeEnvelope } from '../src/envelope.ts';
import { outboxEntries } from '../src/outbox.ts';
import { type OutboxRelay, startOutboxRelay } from '../src/outbox-relay.ts';
import { PermanentError } from '../src/retry.ts';
import { deadLetterQueueName } from '../src/topology.ts';
import {
  currentTrace,
  formatTraceparent,
  runWithTrace,
  startTrace,
  traceLogFields,
} from '../src/trace-context.ts';
import { widgetModel } from './fixtures/widget.model.ts';
import { rabbitAdmin, testEvent, uniqueName } from './support.ts';

type Line = { msg: string; [key: string]: unknown };

/** A logger like the kit's: every line written in a trace carries its ids. */
function tracingLogger() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug', mixin: traceLogFields }, sink), lines };
}

describe('trace context through the broker', () => {
  const { amqpUrl } = testServers();
  let broker: Broker;
  let queue: string;
  let registry: Registry;
  let logs: ReturnType<typeof tracingLogger>;

  beforeEach(async () => {
    queue = uniqueName('test.trace');
    registry = new Registry();
    logs = tracingLogger();
    broker = await connectBroker({
      url: amqpUrl,
      logger: logs.logger,
      name: uniqueName('trace-test'),
      registry,
      deadLetterDepthIntervalMs: 0,
    });
  });
  afterEach(async () => {
    await broker.close();
    const admin = await rabbitAdmin(amqpUrl);
    await admin.deleteQueues(queue);
    await admin.close();
  });

  it('when an event is published inside a request, then it carries the traceparent and the consumer logs under the same trace', async () => {
    const request = startTrace('req-trace-0001');
    const seen = Promise.withResolvers<{ traceId?: string; spanId?: string; requestId?: string }>();
    await broker.consume({
      queue,
      bindings: ['widget.traced'],
      handler: async (event, { log }) => {
        log.info({ eventId: event.id }, 'widget handled');
        const t = currentTrace();
        seen.resolve({ traceId: t?.traceId, spanId: t?.spanId, requestId: t?.requestId });
      },
    });
    const admin = await rabbitAdmin(amqpUrl);
    const spy = uniqueName('test.trace-spy');
    await admin.channel.assertQueue(spy, { exclusive: true });
    await admin.channel.bindQueue(spy, 'helpdesk.events', 'widget.traced');
    const event = testEvent('widget.traced');
    await runWithTrace(request, () => broker.publish(event));

    const raw = await admin.nextMessage(spy);
    await admin.close();
    expect(raw.properties.headers).toMatchObject({
      traceparent: formatTraceparent(request),
      'x-request-id': 'req-trace-0001',
    });

    const inHandler = await seen.promise;
    expect(inHandler.traceId).toBe(request.traceId);
    expect(inHandler.spanId).not.toBe(request.spanId);
    expect(inHandler.requestId).toBe('req-trace-0001');
    const line = logs.lines.find((l) => l.msg === 'widget handled');
    expect(line).toMatchObject({
      trace_id: request.traceId,
      span_id: inHandler.spanId,
      requestId: 'req-trace-0001',
      correlationId: event.correlationId,
      messageId: event.id,
      queue,
    });
  });

  it('when events are published, consumed and dead-lettered, then /metrics counts each and shows the DLQ depth', async () => {
    await broker.consume({
      queue,
      bindings: ['widget.counted', 'widget.poisoned'],
      handler: async (event) => {
        if (event.type === 'widget.poisoned') throw new PermanentError('cannot take it');
      },
    });
    await broker.publish(testEvent('widget.counted'));
    await broker.publish(testEvent('widget.counted'));
    await broker.publish(testEvent('widget.poisoned'));
    const dlq = deadLetterQueueName(queue);
    const metric = async (name: string, labels: Record<string, string>) => {
      const found = (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
        Object.entries(labels).every(([k, want]) => v.labels[k] === want),
      );
      return found?.value;
    };
    await waitFor(async () => (await metric('messaging_dead_letter_queue_depth', { queue: dlq })) === 1, {
      description: 'the DLQ depth gauge shows the poisoned event',
    });
    expect(await metric('messaging_events_published_total', { type: 'widget.counted' })).toBe(2);
    expect(await metric('messaging_events_published_total', { type: 'widget.poisoned' })).toBe(1);
    expect(
      await metric('messaging_events_consumed_total', { queue, type: 'widget.counted', outcome: 'ack' }),
    ).toBe(2);
    expect(
      await metric('messaging_events_consumed_total', { queue, type: 'widget.poisoned', outcome: 'dead' }),
    ).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(`messaging_dead_letter_queue_depth{queue="${dlq}"} 1`);
  });
});

describe('trace context through the outbox', () => {
  const { amqpUrl, mongoUrl } = testServers();
  let conn: Connection;
  let broker: Broker;
  let relay: OutboxRelay;
  let queue: string;

  beforeAll(async () => {
    conn = await mongoose.createConnection(uniqueDbUrl(mongoUrl, 'messaging_trace')).asPromise();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('when a request writes an event to the outbox, then the relay publishes it under that request trace', async () => {
    queue = uniqueName('test.trace-outbox');
    const Widgets = widgetModel(conn);
    await Widgets.init();
    broker = await connectBroker({
      url: amqpUrl,
      logger: pino({ level: 'silent' }),
      name: uniqueName('trace-outbox'),
    });
    const got = Promise.withResolvers<{ event: Envelope; traceId?: string }>();
    await broker.consume({
      queue,
      bindings: ['widget.outboxed'],
      handler: async (event) => got.resolve({ event, traceId: currentTrace()?.traceId }),
    });
    const request = startTrace('req-trace-0002');
    const widgetId = uniqueName('w');
    const event = makeEnvelope({
      type: 'widget.outboxed',
      orgId: 'org-test',
      aggregateId: widgetId,
      sequence: 1,
      actor: { type: 'system', id: 'test' },
      data: {},
    });
    await runWithTrace(request, () =>
      Widgets.create({
        _id: widgetId,
        orgId: 'org-test',
        name: 'w',
        sequence: 1,
        outbox: outboxEntries(event),
      }),
    );
    // Started outside any request, as at boot: the trace can only come from the stored entry.
    relay = startOutboxRelay({
      models: [Widgets],
      broker,
      logger: pino({ level: 'silent' }),
      intervalMs: 50,
    });
    try {
      const { event: received, traceId } = await got.promise;
      expect(received.id).toBe(event.id);
      expect(traceId).toBe(request.traceId);
    } finally {
      await relay.stop();
      await broker.close();
      const admin = await rabbitAdmin(amqpUrl);
      await admin.deleteQueues(queue);
      await admin.close();
    }
  });
});
