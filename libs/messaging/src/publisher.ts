import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@helpdesk/contracts';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Logger } from 'pino';
import type { MessagingMetrics } from './metrics.ts';
import { declareExchanges, EVENTS_EXCHANGE } from './topology.ts';
import { currentTrace, formatTraceparent } from './trace-context.ts';
import { withTimeout } from './with-timeout.ts';

export interface PublisherOptions {
  logger: Logger;
  metrics: MessagingMetrics;
  appId: string;
  timeoutMs: number;
  /** False once the connection `model` belongs to is gone or the broker is closing. */
  isLive(model: ChannelModel): boolean;
  isClosing(): boolean;
}

/**
 * The trace an event goes out under: the one current when it was written to the outbox (the relay
 * publishes later, outside that request), else the one current at the publish call.
 */
export interface PublishTrace {
  traceparent?: string | undefined;
  requestId?: string | undefined;
}

export function currentPublishTrace(): PublishTrace | undefined {
  const ctx = currentTrace();
  return ctx ? { traceparent: formatTraceparent(ctx), requestId: ctx.requestId } : undefined;
}

/** The envelope's ids and keys also travel as properties, so a DLQ can be read without parsing bodies. */
export function publishProperties(envelope: Envelope, appId: string, trace?: PublishTrace): Options.Publish {
  const headers: Record<string, unknown> = {
    'x-org-id': envelope.orgId,
    'x-aggregate-id': envelope.aggregateId,
    'x-sequence': envelope.sequence,
    'x-causation-id': envelope.causationId,
  };
  if (trace?.traceparent) headers.traceparent = trace.traceparent;
  if (trace?.requestId) headers['x-request-id'] = trace.requestId;
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: envelope.id,
    correlationId: envelope.correlationId,
    type: envelope.type,
    appId,
    timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
    headers,
  };
}

/**
 * One confirm channel per connection. `publish` resolves once the broker confirmed the message;
 * while the connection is being recovered it waits (up to `timeoutMs` in all) and tries again.
 */
export function createPublisher(opts: PublisherOptions) {
  const log = opts.logger;
  let channel: ConfirmChannel | null = null;
  let ready = Promise.withResolvers<ConfirmChannel>();

  async function open(model: ChannelModel): Promise<void> {
    const opened = await model.createConfirmChannel();
    opened.on('error', (err) => log.warn({ err }, 'publishing channel error'));
    opened.on('handler-error', (err, event) =>
      log.error({ err, event }, 'publishing channel listener failed'),
    );
    opened.on('close', () => {
      if (channel === opened) {
        channel = null;
        ready = Promise.withResolvers<ConfirmChannel>();
      }
      // A channel can fail alone (a protocol error); a dead connection is recovery's job. The
      // connection's own close event comes right after its channels', hence the deferral.
      setImmediate(() => {
        if (opts.isLive(model)) open(model).catch((err) => log.warn({ err }, 'cannot reopen publisher'));
      });
    });
    await declareExchanges(opened);
    channel = opened;
    ready.resolve(opened);
  }

  async function publishOnce(
    envelope: Envelope,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
  ): Promise<void> {
    const target = await withTimeout(ready.promise, deadline - Date.now(), 'no broker connection');
    const confirmed = new Promise<void>((resolve, reject) => {
      target.publish(EVENTS_EXCHANGE, envelope.type, content, properties, (err) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
    await withTimeout(confirmed, deadline - Date.now(), 'publish not confirmed');
  }

  async function publish(envelope: Envelope, trace = currentPublishTrace()): Promise<void> {
    const content = Buffer.from(JSON.stringify(envelope));
    const properties = publishProperties(envelope, opts.appId, trace);
    const deadline = Date.now() + opts.timeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await publishOnce(envelope, content, properties, deadline);
        opts.metrics.published.inc({ type: envelope.type });
        return;
      } catch (err) {
        // Publishing again loses nothing: consumers dedupe, and the outbox would republish anyway.
        // Waiting first keeps a broker that nacks everything from being hammered.
        if (opts.isClosing() || Date.now() >= deadline) throw err;
        log.debug({ err, messageId: envelope.id }, 'publish failed, trying again');
        await sleep(Math.min(1_000, 50 * 2 ** attempt));
      }
    }
  }

  return { open, publish, isOpen: () => channel !== null };
}
