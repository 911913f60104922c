import type { ChannelModel, GetMessage } from 'amqplib';
import { deadLetterQueueName } from './topology.ts';

export interface DeadLetter {
  messageId: string | undefined;
  type: string | undefined;
  orgId: string | undefined;
  correlationId: string | undefined;
  /** Why the broker dead-lettered it: `rejected` (by the consumer) or `delivery_limit`. */
  reason: string | undefined;
  /** How often it died in that queue, replays included. */
  deaths: number;
  firstDeathAt: Date | undefined;
}

function describe(msg: GetMessage): DeadLetter {
  const headers = msg.properties.headers ?? {};
  const death = headers['x-death']?.[0];
  const time = death?.time as unknown;
  const seconds =
    typeof time === 'object' && time !== null && 'value' in time ? Number(time.value) : undefined;
  return {
    messageId: msg.properties.messageId as string | undefined,
    type: (msg.properties.type as string | undefined) ?? msg.fields.routingKey,
    orgId: headers['x-org-id'] as string | undefined,
    correlationId: msg.properties.correlationId as string | undefined,
    reason: (headers['x-first-death-reason'] as string | undefined) ?? death?.reason,
    deaths: death?.count ?? 0,
    firstDeathAt: seconds === undefined ? undefined : new Date(seconds * 1000),
  };
}

/**
 * Reads up to `limit` messages of `<queue>.dlq` without removing them (they go back unacked).
 * Bodies are left out on purpose: they may hold personal data.
 */
export async function peekDeadLetters(conn: ChannelModel, queue: string, limit = 50): Promise<DeadLetter[]> {
  const channel = await conn.createChannel();
  try {
    const seen: DeadLetter[] = [];
    for (let i = 0; i < limit; i += 1) {
      const msg = await channel.get(deadLetterQueueName(queue), { noAck: false });
      if (!msg) break;
      seen.push(describe(msg));
    }
    return seen;
  } finally {
    // Closing returns every unacked message to the queue.
    await channel.close().catch(() => {});
  }
}

/**
 * Moves up to `limit` messages (default: as many as the DLQ holds now, so a message that fails
 * again is not replayed twice in one run) from `<queue>.dlq` back to `<queue>` only, through
 * the default exchange: other services' queues do not see the event again. Each message is
 * acked in the DLQ only after the broker confirmed its copy. Returns the number moved.
 */
export async function replayDeadLetters(conn: ChannelModel, queue: string, limit?: number): Promise<number> {
  const dlq = deadLetterQueueName(queue);
  const channel = await conn.createConfirmChannel();
  try {
    await channel.checkQueue(queue);
    const max = limit ?? (await channel.checkQueue(dlq)).messageCount;
    let moved = 0;
    while (moved < max) {
      const msg = await channel.get(dlq, { noAck: false });
      if (!msg) break;
      const p = msg.properties;
      const properties = {
        persistent: true,
        contentType: p.contentType,
        contentEncoding: p.contentEncoding,
        messageId: p.messageId,
        correlationId: p.correlationId,
        type: p.type,
        appId: p.appId,
        timestamp: p.timestamp,
        headers: p.headers ?? {},
      };
      await new Promise<void>((resolve, reject) => {
        channel.publish('', queue, msg.content, properties, (err) => (err ? reject(err) : resolve()));
      });
      channel.ack(msg);
      moved += 1;
    }
    return moved;
  } finally {
    await channel.close().catch(() => {});
  }
}
