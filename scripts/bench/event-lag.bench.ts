// Event lag benchmark: time from `broker.publish()` to the consumer's handler, at a steady rate,
// through the real topology (durable topic exchange, quorum service queue; then an exclusive
// fan-out queue). Publisher and consumer use separate connections, as two services would.
// Every run is bounded in time. Needs a local RabbitMQ (`eval "$(scripts/infra.sh up --test)"`).
// Usage: pnpm bench:events [--rate=500] [--duration=10]   (messages per second, seconds per run)

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../libs/kit/src/logger.ts';
import { type Broker, connectBroker, makeEnvelope } from '../../libs/messaging/src/index.ts';
import { arg } from './run.ts';

const RATE = arg('rate', 500);
const DURATION_S = arg('duration', 10);
const DRAIN_TIMEOUT_MS = 5_000;
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env.AMQP_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const logger = createLogger({ name: 'bench', level: 'warn' });

interface Row {
  name: string;
  sent: number;
  received: number;
  rate: number;
  lag: number[];
  confirm: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function run(name: string, publisher: Broker, consumer: Broker, exclusive: boolean): Promise<Row> {
  const queue = `bench.event-lag.${randomBytes(3).toString('hex')}`;
  const routingKey = 'bench.lag_probe';
  const sentAt = new Map<string, number>();
  const lag: number[] = [];
  const confirm: number[] = [];
  const allIn = Promise.withResolvers<void>();
  let expected = Number.POSITIVE_INFINITY;

  const subscription = await consumer.consume({
    queue,
    bindings: [routingKey],
    exclusive,
    prefetch: 256,
    handler: async (event) => {
      const start = sentAt.get(event.id);
      if (start !== undefined) lag.push(performance.now() - start);
      if (lag.length >= expected) allIn.resolve();
    },
  });

  const total = RATE * DURATION_S;
  const began = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let failed = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * RATE) + 1);
    for (; sent < due; sent += 1) {
      const event = makeEnvelope({
        type: routingKey,
        orgId: 'bench',
        aggregateId: `agg-${sent % 64}`,
        sequence: sent,
        actor: { type: 'system', id: 'bench' },
        data: { n: sent },
      });
      const t0 = performance.now();
      sentAt.set(event.id, t0);
      const task = publisher.publish(event).then(
        () => {
          confirm.push(performance.now() - t0);
        },
        () => {
          failed += 1;
        },
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await sleep(1);
  }
  const publishedIn = (performance.now() - began) / 1000;
  await Promise.all(inFlight);
  expected = sent - failed;
  if (lag.length >= expected) allIn.resolve();
  await Promise.race([allIn.promise, sleep(DRAIN_TIMEOUT_MS)]);
  await subscription.cancel();
  if (!exclusive) await deleteQueue(queue);
  return { name, sent, received: lag.length, rate: sent / publishedIn, lag, confirm };
}

/** The bench's durable queues go afterwards, through the management API (no AMQP client here). */
async function deleteQueue(queue: string) {
  const url = new URL(MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`);
  for (const name of [queue, `${queue}.dlq`]) {
    await fetch(`${url.protocol}//${url.host}/api/queues/%2F/${encodeURIComponent(name)}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${auth.toString('base64')}` },
    });
  }
}

function print(rows: Row[]) {
  const ms = (n: number) => n.toFixed(2).padStart(8);
  console.log(`\nevent lag, publish() -> handler, ${RATE} msg/s for ${DURATION_S} s per run (ms)`);
  console.log(
    `${'queue'.padEnd(26)}${'sent'.padStart(7)}${'recv'.padStart(7)}${'msg/s'.padStart(7)}` +
      `${'p50'.padStart(8)}${'p90'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}${'confirm p99'.padStart(13)}`,
  );
  for (const row of rows) {
    const lag = [...row.lag].sort((a, b) => a - b);
    const confirm = [...row.confirm].sort((a, b) => a - b);
    console.log(
      `${row.name.padEnd(26)}${String(row.sent).padStart(7)}${String(row.received).padStart(7)}` +
        `${row.rate.toFixed(0).padStart(7)}${ms(percentile(lag, 50))}${ms(percentile(lag, 90))}` +
        `${ms(percentile(lag, 99))}${ms(lag.at(-1) ?? Number.NaN)}${ms(percentile(confirm, 99)).padStart(13)}`,
    );
  }
}

const publisher = await connectBroker({ url: AMQP_URL, logger, name: 'bench-publisher' });
const consumer = await connectBroker({ url: AMQP_URL, logger, name: 'bench-consumer' });
try {
  const rows = [
    await run('quorum (service queue)', publisher, consumer, false),
    await run('exclusive (fan-out)', publisher, consumer, true),
  ];
  print(rows);
} finally {
  await Promise.all([publisher.close(), consumer.close()]);
}
