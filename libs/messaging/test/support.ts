import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type Envelope, EnvelopeSchema } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testkit';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { type Logger, pino } from 'pino';
import { makeEnvelope } from '../src/envelope.ts';
import { deadLetterQueueName } from '../src/topology.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(4).toString('hex')}`;
}

export function testEvent(type: string, data: unknown = { n: 1 }, sequence = 1): Envelope {
  return makeEnvelope({
    type,
    orgId: 'org-test',
    aggregateId: `agg-${randomBytes(3).toString('hex')}`,
    sequence,
    actor: { type: 'system', id: 'test' },
    data,
  });
}

/**
 * An envelope schema that also records each message a consumer takes off its channel. The
 * consumer checks the schema on arrival, before the message waits for its aggregate's turn, so
 * a test can tell that a redelivered copy has reached the process while an earlier one still runs.
 */
export function trackArrivals() {
  const ids: string[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const schema = EnvelopeSchema.transform((event) => {
    ids.push(event.id);
    for (const waiter of waiting) if (ids.length >= waiter.count) waiter.resolve();
    return event;
  });
  return {
    schema,
    /** Resolves once `count` messages have arrived, copies included. */
    until(count: number): Promise<void> {
      const arrived = Promise.withResolvers<void>();
      waiting.push({ count, resolve: arrived.resolve });
      if (ids.length >= count) arrived.resolve();
      return arrived.promise;
    },
  };
}

export interface CapturedLogs {
  logger: Logger;
  lines: Array<{ level: number; msg: string; [key: string]: unknown }>;
}

/** A real pino logger whose lines land in memory, for asserting what was logged. */
export function captureLogger(): CapturedLogs {
  const lines: CapturedLogs['lines'] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A plain connection for what the tests do behind the library's back. */
export async function rabbitAdmin(amqpUrl: string) {
  const conn: ChannelModel = await amqp.connect(amqpUrl);
  const channel = await conn.createChannel();
  channel.on('error', () => {});
  return {
    channel,
    /** Asks on a channel of its own: the broker closes the channel that asked about a missing queue. */
    async queueExists(queue: string): Promise<boolean> {
      const probe = await conn.createChannel();
      probe.on('error', () => {});
      try {
        await probe.checkQueue(queue);
        await probe.close();
        return true;
      } catch {
        return false;
      }
    },
    /** Resolves with the first message that reaches `queue` (already there or still to come). */
    async nextMessage(queue: string, timeoutMs = 10_000): Promise<ConsumeMessage> {
      const ch = await conn.createChannel();
      const got = Promise.withResolvers<ConsumeMessage>();
      const timer = setTimeout(() => got.reject(new Error(`nothing reached ${queue}`)), timeoutMs);
      await ch.consume(queue, (msg) => msg && got.resolve(msg), { noAck: true });
      try {
        return await got.promise;
      } finally {
        clearTimeout(timer);
        await ch.close();
      }
    },
    async messageCount(queue: string): Promise<number> {
      return (await channel.checkQueue(queue)).messageCount;
    },
    async deleteQueues(...queues: string[]): Promise<void> {
      for (const queue of queues) {
        await channel.deleteQueue(queue);
        await channel.deleteQueue(deadLetterQueueName(queue));
      }
    },
    close: () => conn.close(),
  };
}

function management(managementUrl: string) {
  const url = new URL(managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const origin = `${url.protocol}//${url.host}`;
  return async (path: string, method = 'GET') => {
    const res = await fetch(`${origin}${path}`, { method, headers: { authorization: auth } });
    if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status}`);
    return res;
  };
}

/** Has the broker drop the connections a client named `connectionName` opened, as an outage would. */
export async function closeConnectionsNamed(managementUrl: string, connectionName: string): Promise<number> {
  const call = management(managementUrl);
  const named = await waitFor(
    async () => {
      const all = (await (await call('/api/connections?columns=name,client_properties')).json()) as Array<{
        name: string;
        client_properties?: { connection_name?: string };
      }>;
      const mine = all.filter((c) => c.client_properties?.connection_name === connectionName);
      return mine.length > 0 ? mine : null;
    },
    { description: `connection ${connectionName} listed by the management API` },
  );
  for (const conn of named) await call(`/api/connections/${encodeURIComponent(conn.name)}`, 'DELETE');
  return named.length;
}
