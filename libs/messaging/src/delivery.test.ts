import { type Envelope, EnvelopeSchema } from '@helpdesk/contracts';
import type { Channel, ConsumeMessage } from 'amqplib';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createDeliveryProcessor, type EventHandler, type HandlerContext } from './delivery.ts';
import { makeEnvelope } from './envelope.ts';
import { messagingMetrics } from './metrics.ts';

function fakeChannel() {
  const settled: Array<{ tag: number; outcome: 'ack' | 'retry' | 'dead' }> = [];
  const channel = {
    ack: (msg: ConsumeMessage) => settled.push({ tag: msg.fields.deliveryTag, outcome: 'ack' }),
    reject: (msg: ConsumeMessage, requeue: boolean) =>
      settled.push({ tag: msg.fields.deliveryTag, outcome: requeue ? 'retry' : 'dead' }),
  };
  return { channel: channel as unknown as Channel, settled };
}

let tag = 0;
function message(body: unknown, opts: { deliveryCount?: number; aggregateId?: string } = {}): ConsumeMessage {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers = opts.deliveryCount === undefined ? {} : { 'x-delivery-count': opts.deliveryCount };
  tag += 1;
  return {
    content,
    fields: {
      deliveryTag: tag,
      redelivered: (opts.deliveryCount ?? 0) > 0,
      routingKey: 'ticket.created',
      exchange: 'helpdesk.events',
      consumerTag: 'c',
    },
    properties: { messageId: (body as { id?: string }).id, headers },
  } as unknown as ConsumeMessage;
}

function event(aggregateId = 'ticket-1') {
  return makeEnvelope({
    type: 'ticket.created',
    orgId: 'org-1',
    aggregateId,
    sequence: 1,
    actor: { type: 'system', id: 'test' },
    data: { n: 1 },
  });
}

function processor(handler: EventHandler<unknown>, countLocally = false) {
  const registry = new Registry();
  const metrics = messagingMetrics(registry);
  const process = createDeliveryProcessor({
    queue: 'test.events',
    schema: EnvelopeSchema,
    handler,
    policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    countLocally,
    logger: pino({ level: 'silent' }),
    metrics,
  });
  const count = async (outcome: string) =>
    (await registry.getSingleMetricAsString('messaging_events_consumed_total')).includes(
      `outcome="${outcome}"} 1`,
    );
  return { process, count };
}

describe('delivery processing', () => {
  it('acks only after the handler resolved, and hands it the parsed event', async () => {
    const gate = Promise.withResolvers<void>();
    const handler = vi.fn((_event: Envelope, _ctx: HandlerContext) => gate.promise);
    const { process, count } = processor(handler);
    const { channel, settled } = fakeChannel();
    const sent = event();
    const done = process(channel, message(sent));
    await vi.waitFor(() => expect(handler).toHaveBeenCalled());
    expect(settled).toEqual([]);
    gate.resolve();
    await done;
    expect(settled.map((s) => s.outcome)).toEqual(['ack']);
    expect(handler.mock.calls[0]?.[0]).toEqual(sent);
    expect(handler.mock.calls[0]?.[1]).toMatchObject({ attempt: 1, redelivered: false });
    expect(await count('ack')).toBe(true);
  });

  it('requeues a failed message while attempts remain, then dead-letters it', async () => {
    const { process, count } = processor(async () => {
      throw new Error('database timeout');
    });
    const { channel, settled } = fakeChannel();
    const sent = event();
    await process(channel, message(sent));
    await process(channel, message(sent, { deliveryCount: 1 }));
    await process(channel, message(sent, { deliveryCount: 2 }));
    expect(settled.map((s) => s.outcome)).toEqual(['retry', 'retry', 'dead']);
    expect(await count('dead')).toBe(true);
  });

  it('dead-letters a message that is not a valid event without calling the handler', async () => {
    const handler = vi.fn(async () => {});
    const { process } = processor(handler);
    const { channel, settled } = fakeChannel();
    await process(channel, message('{not json'));
    await process(channel, message({ ...event(), type: 'NOT A TYPE' }));
    expect(settled.map((s) => s.outcome)).toEqual(['dead', 'dead']);
    expect(handler).not.toHaveBeenCalled();
  });

  it('runs the handlers of one aggregate one after another, other aggregates alongside', async () => {
    const gate = Promise.withResolvers<void>();
    const started: string[] = [];
    const { process } = processor(async (e) => {
      started.push(`${e.aggregateId}:${e.sequence}`);
      if (e.aggregateId === 'a' && e.sequence === 1) await gate.promise;
    });
    const { channel } = fakeChannel();
    const first = process(channel, message(event('a')));
    const second = process(channel, message({ ...event('a'), sequence: 2 }));
    const other = process(channel, message(event('b')));
    await other;
    expect(started).toEqual(['a:1', 'b:1']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(started).toEqual(['a:1', 'b:1', 'a:2']);
  });

  it('counts attempts itself where the queue has no delivery count', async () => {
    const attempts: number[] = [];
    const { process } = processor(async (_e, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error('down');
    }, true);
    const { channel, settled } = fakeChannel();
    const sent = event();
    for (let i = 0; i < 3; i += 1) await process(channel, message(sent));
    expect(attempts).toEqual([1, 2, 3]);
    expect(settled.map((s) => s.outcome)).toEqual(['retry', 'retry', 'dead']);
  });

  it('survives a channel that closed before the message could be settled', async () => {
    const { process } = processor(async () => {});
    const channel = {
      ack: () => {
        throw new Error('Channel closed');
      },
    } as unknown as Channel;
    await expect(process(channel, message(event()))).resolves.toBeUndefined();
  });
});
