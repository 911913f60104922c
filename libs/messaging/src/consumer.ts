import type { Channel, ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { createDeliveryProcessor, type DeliveryProcessor, type EventHandler } from './delivery.ts';
import type { MessagingMetrics } from './metrics.ts';
import type { RetryPolicy } from './retry.ts';
import { declareQueue } from './topology.ts';
import { withTimeout } from './with-timeout.ts';

const RESTART_DELAY_MS = 1_000;
/** A half-dead connection must not hold up a shutdown: its messages return to the queue anyway. */
const CANCEL_TIMEOUT_MS = 5_000;

export interface ConsumerContext {
  logger: Logger;
  metrics: MessagingMetrics;
  /** False once the connection `model` belongs to is gone or the broker is closing. */
  isLive(model: ChannelModel): boolean;
}

/** A subscription that outlives channels and connections: each (re)connection starts it again. */
export interface ConsumerState {
  queue: string;
  bindings: string[];
  exclusive: boolean;
  prefetch: number;
  schema: ZodType;
  handler: EventHandler<unknown>;
  policy: RetryPolicy;
  /** The connection generation it last started on; guards against starting twice. */
  generation: number;
  channel: Channel | null;
  consumerTag: string | null;
  inFlight: Set<Promise<void>>;
  /**
   * Built on the first start and kept across channels and connections: a handler still running
   * for a dead channel keeps its aggregate's turn, so the broker's redelivered copy waits for it
   * instead of running alongside it (and then finds the idempotency marker it wrote).
   */
  processor: DeliveryProcessor | null;
  /** How many times it has subscribed; from the second on, `onResubscribed` runs. */
  subscriptions: number;
  onResubscribed: (() => void) | undefined;
  cancelled: boolean;
  restartTimer: NodeJS.Timeout | null;
}

function scheduleRestart(
  ctx: ConsumerContext,
  model: ChannelModel,
  generation: number,
  state: ConsumerState,
  log: Logger,
) {
  if (state.cancelled || !ctx.isLive(model) || state.restartTimer) return;
  state.generation = 0;
  state.restartTimer = setTimeout(() => {
    state.restartTimer = null;
    if (state.cancelled || !ctx.isLive(model)) return;
    startConsumer(ctx, model, generation, state).catch((err) => {
      log.error({ err }, 'cannot restart the consumer, trying again');
      scheduleRestart(ctx, model, generation, state, log);
    });
  }, RESTART_DELAY_MS);
  state.restartTimer.unref();
}

export async function startConsumer(
  ctx: ConsumerContext,
  model: ChannelModel,
  generation: number,
  state: ConsumerState,
): Promise<void> {
  if (state.cancelled || state.generation === generation) return;
  state.generation = generation;
  const log = ctx.logger.child({ queue: state.queue });
  const channel = await model.createChannel();
  channel.on('error', (err) => log.warn({ err }, 'consumer channel error'));
  channel.on('handler-error', (err, event) => log.error({ err, event }, 'consumer channel listener failed'));
  channel.on('close', () => {
    if (state.channel !== channel) return;
    state.channel = null;
    state.consumerTag = null;
    // A channel can close alone (its queue was deleted, a protocol error); a lost connection
    // is restarted by the next connection's setup instead, and says so right after this event.
    setImmediate(() => {
      if (state.cancelled || !ctx.isLive(model)) return;
      log.warn('consumer channel closed, restarting it');
      scheduleRestart(ctx, model, generation, state, log);
    });
  });
  try {
    await channel.prefetch(state.prefetch);
    const queue = await declareQueue(channel, {
      queue: state.queue,
      bindings: state.bindings,
      maxAttempts: state.policy.maxAttempts,
      exclusive: state.exclusive,
    });
    state.processor ??= createDeliveryProcessor({
      queue: state.queue,
      schema: state.schema,
      handler: state.handler,
      policy: state.policy,
      countLocally: state.exclusive,
      logger: ctx.logger,
      metrics: ctx.metrics,
    });
    const process = state.processor;
    const { consumerTag } = await channel.consume(
      queue,
      (msg) => {
        if (msg === null) {
          log.warn('the broker cancelled the consumer');
          channel.close().catch(() => {});
          return;
        }
        const task = process(channel, msg);
        state.inFlight.add(task);
        void task.finally(() => state.inFlight.delete(task));
      },
      { noAck: false },
    );
    state.channel = channel;
    state.consumerTag = consumerTag;
    if (state.cancelled) await stopConsumer(state);
    else if (state.subscriptions++ > 0 && state.onResubscribed) {
      try {
        state.onResubscribed();
      } catch (err) {
        log.error({ err }, 'onResubscribed failed');
      }
    }
  } catch (err) {
    await channel.close().catch(() => {});
    throw err;
  }
}

/** Stops taking messages, waits for the in-flight ones to be settled, closes the channel. */
export async function stopConsumer(state: ConsumerState): Promise<void> {
  state.cancelled = true;
  if (state.restartTimer) clearTimeout(state.restartTimer);
  state.restartTimer = null;
  const { channel, consumerTag } = state;
  if (channel && consumerTag) {
    await withTimeout(channel.cancel(consumerTag), CANCEL_TIMEOUT_MS, 'consumer cancel').catch(() => {});
  }
  while (state.inFlight.size > 0) await Promise.allSettled([...state.inFlight]);
  state.channel = null;
  state.consumerTag = null;
  if (channel) await withTimeout(channel.close(), CANCEL_TIMEOUT_MS, 'channel close').catch(() => {});
}
