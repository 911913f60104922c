import type { Channel } from 'amqplib';

/** Every service publishes its events here, routing key = event type. */
export const EVENTS_EXCHANGE = 'helpdesk.events';
/** Rejected and over-delivered messages land here, routing key = the queue they came from. */
export const DEAD_LETTER_EXCHANGE = 'helpdesk.dlx';

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}

/**
 * Arguments of a consuming service's queue. The broker's delivery limit is the backstop for
 * deliveries the consumer never answers (a process that crashes on a message): the consumer
 * itself dead-letters a message once its handler failed `maxAttempts` times. A quorum queue
 * dead-letters a message once it was returned more times than the limit, hence `- 1`.
 */
export function queueArguments(queue: string, maxAttempts: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': Math.max(0, maxAttempts - 1),
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    'x-dead-letter-routing-key': queue,
  };
}

/** Declarations are idempotent, so every (re)connection runs them again. */
export async function declareExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
}

export interface QueueDeclaration {
  queue: string;
  bindings: string[];
  maxAttempts: number;
  exclusive: boolean;
}

/** Declares a consumer's queue (and its dead-letter queue) and binds it; returns the queue's real name. */
export async function declareQueue(channel: Channel, decl: QueueDeclaration): Promise<string> {
  await declareExchanges(channel);
  let name: string;
  if (decl.exclusive) {
    // Each replica needs its own copy of every message and nothing once it is gone.
    const reply = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    name = reply.queue;
  } else {
    const dlq = deadLetterQueueName(decl.queue);
    await channel.assertQueue(dlq, { durable: true });
    await channel.bindQueue(dlq, DEAD_LETTER_EXCHANGE, decl.queue);
    await channel.assertQueue(decl.queue, {
      durable: true,
      arguments: queueArguments(decl.queue, decl.maxAttempts),
    });
    name = decl.queue;
  }
  for (const pattern of decl.bindings) await channel.bindQueue(name, EVENTS_EXCHANGE, pattern);
  return name;
}
