import { type Envelope, EnvelopeSchema } from '@helpdesk/contracts';
import { type ChannelModel, connect, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ZodType } from 'zod';
import { type ConsumerState, startConsumer, stopConsumer } from './consumer.ts';
import { watchDeadLetterDepth } from './dead-letter-depth.ts';
import type { EventHandler } from './delivery.ts';
import { messagingMetrics } from './metrics.ts';
import { createPublisher, type PublishTrace } from './publisher.ts';
import { DEFAULT_RETRY_POLICY } from './retry.ts';
import { deadLetterQueueName } from './topology.ts';
import { withTimeout } from './with-timeout.ts';

export type { EventHandler, HandlerContext } from './delivery.ts';

export interface BrokerOptions {
  url: string;
  logger: Logger;
  /** Service name: the connection's name in the broker and the messages' `appId`. */
  name: string;
  registry?: Registry;
  /** How long `publish` waits for a connection and the broker's confirm. Default 10 s. */
  publishTimeoutMs?: number;
  /** Failed attempts before the first connection gives up (later, it never does). Default 10. */
  initialConnectRetries?: number;
  /** A scrape within this long of the last DLQ measurement reuses it. Default 5 s. */
  deadLetterDepthIntervalMs?: number;
}

export interface ConsumeOptions<T = unknown> {
  queue: string;
  bindings: string[];
  /** Envelope schema; a message it rejects goes to the DLQ at once. Default: `EnvelopeSchema`. */
  schema?: ZodType;
  handler: EventHandler<T>;
  /** Default 32. */
  prefetch?: number;
  /** Default 5. Also fixes the queue's delivery limit when the queue is first declared. */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled per attempt up to 2 s. Default 100 ms. */
  retryDelayMs?: number;
  /** A server-named, exclusive, auto-delete queue per process (fan-out); no DLQ. */
  exclusive?: boolean;
  /**
   * Called each time the consumer subscribes again after losing its channel or connection. An
   * exclusive queue dies with its connection, so whatever was published in between never reaches
   * this process: this is where it catches up from a snapshot.
   */
  onResubscribed?: () => void;
}

export interface Consumer {
  /** Stops taking messages and resolves once the in-flight ones are settled. */
  cancel(): Promise<void>;
}

export interface Broker {
  /**
   * Resolves once the broker confirmed it. `trace` defaults to the trace current at the call
   * (see trace-context.ts); the outbox relay passes the one stored with the event.
   */
  publish(envelope: Envelope, trace?: PublishTrace): Promise<void>;
  consume<T = unknown>(opts: ConsumeOptions<T>): Promise<Consumer>;
  /** For /readyz: throws unless a publishing channel is open. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export async function connectBroker(opts: BrokerOptions): Promise<Broker> {
  const log = opts.logger.child({ component: 'broker' });
  const metrics = messagingMetrics(opts.registry);
  const consumers = new Set<ConsumerState>();
  const pending = new Set<Promise<void>>();
  let generation = 0;
  let current: { model: ChannelModel; generation: number } | null = null;
  let closing = false;
  const ctx = { logger: log, metrics, isLive: (model: ChannelModel) => !closing && current?.model === model };
  const publisher = createPublisher({
    ...ctx,
    appId: opts.name,
    timeoutMs: opts.publishTimeoutMs ?? 10_000,
    isClosing: () => closing,
  });

  // Runs on every (re)connection before the connection counts as up: topology, publisher,
  // then every consumer that was asked for.
  async function setup(model: ChannelModel): Promise<void> {
    generation += 1;
    current = { model, generation };
    await publisher.open(model);
    for (const state of consumers) await startConsumer(ctx, model, generation, state);
  }

  const conn: RecoveringChannelModel = await connect(opts.url, {
    noDelay: true,
    clientProperties: { connection_name: opts.name },
    recovery: {
      initialDelay: 100,
      maxDelay: 5_000,
      maxRetries: Number.POSITIVE_INFINITY,
      initialMaxRetries: opts.initialConnectRetries ?? 10,
      waitForConnect: false,
      setup,
    },
  });
  conn.on('connect', () => log.info('connected to the broker'));
  conn.on('disconnect', (err) => {
    current = null;
    log.warn({ err }, 'lost the broker connection, reconnecting');
  });
  conn.on('connect-failed', (err) => log.warn({ err }, 'cannot connect to the broker yet'));
  conn.on('reconnect-failed', (err) => log.error({ err }, 'gave up reconnecting to the broker'));
  conn.on('error', (err) => log.warn({ err }, 'broker connection error'));
  conn.on('blocked', (reason) => log.warn({ reason }, 'broker blocked publishing'));
  conn.on('handler-error', (err, event) => log.error({ err, event }, 'broker listener failed'));
  await conn.waitForConnect();

  const deadLetters = watchDeadLetterDepth({
    registry: opts.registry,
    logger: log,
    ...(opts.deadLetterDepthIntervalMs === undefined
      ? {}
      : { minIntervalMs: opts.deadLetterDepthIntervalMs }),
    queues: () => [...consumers].filter((s) => !s.exclusive).map((s) => deadLetterQueueName(s.queue)),
    async openChannel() {
      if (!current || closing) return null;
      const channel = await current.model.createChannel();
      channel.on('error', (err) => log.debug({ err }, 'dead-letter depth channel closed'));
      return channel;
    },
  });

  return {
    async publish(envelope, trace) {
      if (closing) throw new Error('the broker connection is closed');
      const task = publisher.publish(envelope, trace);
      pending.add(task);
      try {
        await task;
      } finally {
        pending.delete(task);
      }
    },

    async consume<T>(options: ConsumeOptions<T>): Promise<Consumer> {
      if (closing) throw new Error('the broker connection is closed');
      const state: ConsumerState = {
        queue: options.queue,
        bindings: options.bindings,
        exclusive: options.exclusive ?? false,
        prefetch: options.prefetch ?? 32,
        schema: options.schema ?? EnvelopeSchema,
        handler: options.handler as EventHandler<unknown>,
        policy: {
          ...DEFAULT_RETRY_POLICY,
          maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
          baseDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        },
        generation: 0,
        channel: null,
        consumerTag: null,
        inFlight: new Set(),
        processor: null,
        subscriptions: 0,
        onResubscribed: options.onResubscribed,
        cancelled: false,
        restartTimer: null,
      };
      consumers.add(state);
      const attempted = current;
      if (attempted) {
        try {
          await startConsumer(ctx, attempted.model, attempted.generation, state);
        } catch (err) {
          // Lost the connection meanwhile: the next connection's setup starts the consumer. Any
          // other failure (a queue declared with other arguments) is the caller's to see.
          if (current === attempted || closing) {
            consumers.delete(state);
            await stopConsumer(state);
            throw err;
          }
          log.warn({ err, queue: options.queue }, 'consumer will start on the next connection');
        }
      }
      return {
        cancel: async () => {
          consumers.delete(state);
          await stopConsumer(state);
        },
      };
    },

    async check() {
      if (closing) throw new Error('the broker connection is closed');
      if (!publisher.isOpen()) throw new Error('not connected to the broker');
    },

    async close() {
      if (closing) return;
      closing = true;
      await deadLetters.stop();
      await Promise.all([...consumers].map((state) => stopConsumer(state)));
      consumers.clear();
      await Promise.allSettled([...pending]);
      await withTimeout(conn.close(), 5_000, 'broker connection close').catch((err) =>
        log.warn({ err }, 'could not close the broker connection cleanly'),
      );
    },
  };
}
