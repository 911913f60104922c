import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

export type ConsumeOutcome = 'ack' | 'retry' | 'dead';

/**
 * Metrics are registered once per registry: a broker and a relay of the same process share it,
 * and a second broker (tests) must not fail on a duplicate name. Without a registry the metrics
 * still count, unexported.
 */
function single<T extends Metric>(
  registry: Registry | undefined,
  name: string,
  create: (r: Registry[]) => T,
): T {
  const existing = registry?.getSingleMetric(name);
  if (existing) return existing as T;
  return create(registry ? [registry] : []);
}

export function messagingMetrics(registry: Registry | undefined) {
  return {
    published: single(
      registry,
      'messaging_events_published_total',
      (registers) =>
        new Counter({
          name: 'messaging_events_published_total',
          help: 'Events confirmed by the broker, by type',
          labelNames: ['type'] as const,
          registers,
        }),
    ),
    consumed: single(
      registry,
      'messaging_events_consumed_total',
      (registers) =>
        new Counter({
          name: 'messaging_events_consumed_total',
          help: 'Deliveries handled, by queue, type and outcome (ack, retry, dead)',
          labelNames: ['queue', 'type', 'outcome'] as const,
          registers,
        }),
    ),
  };
}
export type MessagingMetrics = ReturnType<typeof messagingMetrics>;

export function outboxMetrics(registry: Registry | undefined) {
  return {
    backlog: single(
      registry,
      'messaging_outbox_backlog',
      (registers) =>
        new Gauge({
          name: 'messaging_outbox_backlog',
          help: 'Documents holding events not yet published, by collection',
          labelNames: ['collection'] as const,
          registers,
        }),
    ),
  };
}
