// The lag phase's baseline: the raw broker round trip (publish on a confirm channel → a consumer's
// handler on another connection), through the same durable topic exchange and a quorum queue, at
// the same rate and for as long, with envelopes the size of a ticket.status_changed.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../libs/kit/src/logger.ts';
import { connectBroker, makeEnvelope } from '../../../libs/messaging/src/index.ts';
import { deleteQueues } from '../../../libs/testkit/src/delete-queues.ts';
import { stopping } from '../tickets/context.ts';

export async function brokerRoundTrip(
  amqpUrl: string,
  opts: { rate: number; seconds: number; payload: unknown },
): Promise<{ sent: number; lag: number[] }> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const publisher = await connectBroker({ url: amqpUrl, logger, name: 'bench-rep-publisher' });
  const consumer = await connectBroker({ url: amqpUrl, logger, name: 'bench-rep-consumer' });
  const queue = `bench.reporting-baseline.${randomBytes(3).toString('hex')}`;
  const routingKey = 'bench.reporting_probe';
  const sentAt = new Map<string, number>();
  const lag: number[] = [];
  try {
    const sub = await consumer.consume({
      queue,
      bindings: [routingKey],
      prefetch: 64,
      handler: async (event) => {
        const t0 = sentAt.get(event.id);
        if (t0 !== undefined) lag.push(performance.now() - t0);
      },
    });
    const total = opts.rate * opts.seconds;
    const began = performance.now();
    const inFlight: Promise<unknown>[] = [];
    let sent = 0;
    while (sent < total && !stopping.signal.aborted) {
      const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * opts.rate) + 1);
      for (; sent < due; sent += 1) {
        const event = makeEnvelope({
          type: routingKey,
          orgId: 'bench',
          aggregateId: `t-${sent % 200}`,
          sequence: sent,
          actor: { type: 'user', id: 'bench' },
          data: opts.payload,
        });
        sentAt.set(event.id, performance.now());
        inFlight.push(publisher.publish(event).catch(() => undefined));
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
    const deadline = performance.now() + 5_000;
    while (lag.length < sent && performance.now() < deadline) await sleep(10);
    await sub.cancel();
    return { sent, lag };
  } finally {
    await Promise.all([publisher.close(), consumer.close()]);
    await deleteQueues(amqpUrl, [queue]).catch(() => undefined);
  }
}
