import type { Envelope } from '@helpdesk/contracts';
import amqp from 'amqplib';

export const EVENTS_EXCHANGE = 'helpdesk.events';

export type CollectedEvent<T = Envelope> = {
  routingKey: string;
  /** The JSON body as published, not validated: parse it with the contract's schema to check it. */
  body: T;
  messageId: string | undefined;
  headers: Record<string, unknown>;
};

export type EventCollector<T = Envelope> = {
  /** Every event received so far, in arrival order. */
  events: CollectedEvent<T>[];
  /** Resolves with the first event (already received or still to come) matching `pred`. */
  waitFor(pred: (event: CollectedEvent<T>) => boolean, timeoutMs?: number): Promise<CollectedEvent<T>>;
  close(): Promise<void>;
};

/**
 * Binds a throwaway exclusive queue to the events exchange for `patterns` (topic patterns like
 * `ticket.*`) and records what arrives. The collector is ready when this resolves: events
 * published after that are not missed.
 */
export async function collectEvents<T = Envelope>(
  amqpUrl: string,
  patterns: readonly string[],
): Promise<EventCollector<T>> {
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  for (const pattern of patterns) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);

  const events: CollectedEvent<T>[] = [];
  const waiters = new Set<(event: CollectedEvent<T>) => void>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      body = message.content.toString('utf8');
    }
    const event: CollectedEvent<T> = {
      routingKey: message.fields.routingKey,
      body: body as T,
      messageId: message.properties.messageId as string | undefined,
      headers: (message.properties.headers ?? {}) as Record<string, unknown>,
    };
    events.push(event);
    channel.ack(message);
    for (const waiter of waiters) waiter(event);
  });

  return {
    events,
    waitFor(pred, timeoutMs = 10_000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (event: CollectedEvent<T>) => {
          if (!pred(event)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(event);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = events.map((event) => event.routingKey).join(', ') || 'none';
          reject(new Error(`no matching event within ${timeoutMs} ms (received: ${got})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      await connection.close();
    },
  };
}
