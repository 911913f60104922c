import type { Channel } from 'amqplib';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from './with-timeout.ts';

type Sampler = (gauge: Gauge<'queue'>) => Promise<void>;

/** The samplers of every broker that reports to a registry: tests run several brokers per process. */
const samplersByRegistry = new WeakMap<Registry, Set<Sampler>>();

function gaugeSamplers(registry: Registry): Set<Sampler> {
  let samplers = samplersByRegistry.get(registry);
  if (samplers) return samplers;
  const own = new Set<Sampler>();
  samplers = own;
  samplersByRegistry.set(registry, own);
  new Gauge({
    name: 'messaging_dead_letter_queue_depth',
    help: 'Messages waiting in a dead-letter queue this process consumes the source of, by DLQ',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      await Promise.all([...own].map((sample) => sample(this)));
    },
  });
  return own;
}

export interface DeadLetterDepthOptions {
  registry: Registry | undefined;
  logger: Logger;
  /** The DLQs to measure now (those of the consumers running). */
  queues: () => string[];
  /** A channel of the current connection, or null while there is none. */
  openChannel: () => Promise<Channel | null>;
  /** A scrape within this long of the last measurement reuses it. Default 5 s. */
  minIntervalMs?: number;
  /** Bound on one measurement, so a stuck broker cannot hold up a scrape. Default 2 s. */
  timeoutMs?: number;
}

/**
 * Measures the DLQs' depths on scrape (a passive `queue.declare` each), at most once per
 * `minIntervalMs`, so the cost is bounded by the scrape rate whatever the traffic.
 */
export function watchDeadLetterDepth(opts: DeadLetterDepthOptions): { stop(): Promise<void> } {
  const registry = opts.registry;
  if (!registry) return { stop: async () => {} };
  const log = opts.logger;
  const minInterval = opts.minIntervalMs ?? 5_000;
  const timeout = opts.timeoutMs ?? 2_000;
  let channel: Channel | null = null;
  let last = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  const known = new Set<string>();

  async function measure(gauge: Gauge<'queue'>): Promise<void> {
    const queues = opts.queues();
    // A DLQ no longer consumed here is not this process's to report.
    for (const q of known) if (!queues.includes(q)) gauge.remove({ queue: q });
    known.clear();
    for (const queue of queues) {
      known.add(queue);
      channel ??= await opts.openChannel();
      if (!channel) return;
      const open = channel;
      try {
        const { messageCount } = await withTimeout(open.checkQueue(queue), timeout, 'checkQueue');
        gauge.set({ queue }, messageCount);
      } catch (err) {
        // A missing queue closes the channel (404): the next measurement opens another.
        log.debug({ err, queue }, 'cannot measure the dead-letter queue');
        if (channel === open) channel = null;
        await open.close().catch(() => {});
      }
    }
  }

  const sample: Sampler = async (gauge) => {
    if (inFlight) return inFlight;
    if (performance.now() - last < minInterval) return;
    inFlight = measure(gauge)
      .catch((err) => log.warn({ err }, 'cannot measure the dead-letter queues'))
      .finally(() => {
        last = performance.now();
        inFlight = null;
      });
    return inFlight;
  };
  const samplers = gaugeSamplers(registry);
  samplers.add(sample);

  return {
    async stop() {
      samplers.delete(sample);
      await inFlight;
      await channel?.close().catch(() => {});
      channel = null;
    },
  };
}
