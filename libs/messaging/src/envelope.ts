import type { Actor, Envelope } from '@helpdesk/contracts';
import { v7 as uuidv7 } from 'uuid';

export interface EnvelopeInput<T> {
  type: string;
  version?: number;
  orgId: string;
  aggregateId: string;
  sequence: number;
  actor: Actor;
  data: T;
  correlationId?: string;
  causationId?: string | null;
  id?: string;
  occurredAt?: Date;
}

/**
 * Builds an event envelope. Ids are UUIDv7, so they sort by creation time, which keeps the
 * `processed_events` index and the DLQ easy to read. An event that starts a chain is its own
 * correlation id.
 */
export function makeEnvelope<T>(input: EnvelopeInput<T>): Envelope<T> {
  const id = input.id ?? uuidv7();
  return {
    id,
    type: input.type,
    version: input.version ?? 1,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    orgId: input.orgId,
    aggregateId: input.aggregateId,
    sequence: input.sequence,
    actor: input.actor,
    correlationId: input.correlationId ?? id,
    causationId: input.causationId ?? null,
    data: input.data,
  };
}

/** An event caused by `cause`: same correlation id, `cause.id` as causation id. */
export function causedBy(cause: Pick<Envelope, 'id' | 'correlationId'>): {
  correlationId: string;
  causationId: string;
} {
  return { correlationId: cause.correlationId, causationId: cause.id };
}
