import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@helpdesk/contracts';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { ConsumeOutcome, MessagingMetrics } from './metrics.ts';
import { decideRetry, deliveryAttempt, type RetryPolicy } from './retry.ts';
import { continueTrace, runWithTrace } from './trace-context.ts';

export interface HandlerContext {
  /** Child of the broker's logger with the queue, message and correlation ids. */
  log: Logger;
  redelivered: boolean;
  /** 1-based: 2 means the handler failed once on this message before. */
  attempt: number;
}
export type EventHandler<T = unknown> = (event: Envelope<T>, ctx: HandlerContext) => Promise<void>;

export interface DeliveryOptions {
  queue: string;
  schema: ZodType;
  handler: EventHandler<unknown>;
  policy: RetryPolicy;
  /** Exclusive queues have no delivery count, so attempts are counted here. */
  countLocally: boolean;
  logger: Logger;
  metrics: MessagingMetrics;
}

/** Anyone who can publish can set headers: only an id safe to log is kept. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type DeliveryProcessor = (channel: Channel, msg: ConsumeMessage) => Promise<void>;

/**
 * Turns one delivery into exactly one ack or reject: ack after the handler resolved, requeue after
 * a short backoff while attempts remain, dead-letter (reject without requeue) otherwise. Handlers
 * of one aggregate run one after another, so a consumer sees its events in publish order unless
 * a retry reorders them; `sequence` remains the consumer's guard against stale events.
 */
export function createDeliveryProcessor(opts: DeliveryOptions): DeliveryProcessor {
  const localAttempts = new Map<string, number>();
  const tails = new Map<string, Promise<void>>();

  function settle(channel: Channel, msg: ConsumeMessage, outcome: ConsumeOutcome, type: string, log: Logger) {
    try {
      // basic.reject, not basic.nack: from RabbitMQ 4.3 on, only a reject counts towards a quorum
      // queue's `x-delivery-count`, which numbers the attempts and enforces the delivery limit.
      if (outcome === 'ack') channel.ack(msg);
      else channel.reject(msg, outcome === 'retry');
      opts.metrics.consumed.inc({ queue: opts.queue, type, outcome });
    } catch (err) {
      // The channel died under us; the broker hands the message out again on the next channel.
      log.warn({ err }, 'could not settle the message, it will be redelivered');
    }
  }

  function attemptOf(msg: ConsumeMessage): number {
    if (!opts.countLocally) return deliveryAttempt(msg.properties.headers, msg.fields.redelivered);
    const id = msg.properties.messageId as string | undefined;
    if (!id) return msg.fields.redelivered ? 2 : 1;
    return (localAttempts.get(id) ?? 0) + 1;
  }

  async function run(channel: Channel, msg: ConsumeMessage, event: Envelope, attempt: number, log: Logger) {
    const id = msg.properties.messageId as string | undefined;
    try {
      await opts.handler(event, { log, redelivered: msg.fields.redelivered, attempt });
      if (id) localAttempts.delete(id);
      settle(channel, msg, 'ack', event.type, log);
    } catch (err) {
      const decision = decideRetry(err, attempt, opts.policy);
      if (decision.action === 'retry') {
        log.warn({ err, delayMs: decision.delayMs }, 'handler failed, will retry');
        if (id && opts.countLocally) localAttempts.set(id, attempt);
        await sleep(decision.delayMs);
        settle(channel, msg, 'retry', event.type, log);
      } else {
        log.error({ err, reason: decision.reason }, 'handler failed, message dead-lettered');
        if (id) localAttempts.delete(id);
        settle(channel, msg, 'dead', event.type, log);
      }
    }
  }

  return function process(channel: Channel, msg: ConsumeMessage): Promise<void> {
    // The handler, its logs and the events it writes continue the publisher's trace (a span of
    // their own); a message without one (an older publisher, a replay by hand) starts one.
    const headers = msg.properties.headers ?? {};
    const requestId = headers['x-request-id'];
    const safeId = typeof requestId === 'string' && SAFE_REQUEST_ID.test(requestId) ? requestId : undefined;
    const trace = continueTrace(headers.traceparent, safeId);
    return runWithTrace(trace, () => processInTrace(channel, msg, trace.requestId));
  };

  async function processInTrace(channel: Channel, msg: ConsumeMessage, requestId: string | undefined) {
    const attempt = attemptOf(msg);
    const log = opts.logger.child({
      queue: opts.queue,
      messageId: msg.properties.messageId,
      correlationId: msg.properties.correlationId,
      ...(requestId ? { requestId } : {}),
      type: msg.fields.routingKey,
      attempt,
    });
    let event: Envelope;
    try {
      event = opts.schema.parse(JSON.parse(msg.content.toString('utf8'))) as Envelope;
    } catch (err) {
      // A malformed message stays malformed: retrying it would only delay the queue.
      log.error({ err }, 'message is not a valid event, dead-lettered');
      settle(channel, msg, 'dead', msg.fields.routingKey, log);
      return;
    }
    const key = `${event.orgId}/${event.aggregateId}`;
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.then(() => run(channel, msg, event, attempt, log));
    tails.set(key, current);
    try {
      await current;
    } finally {
      if (tails.get(key) === current) tails.delete(key);
    }
  }
}
