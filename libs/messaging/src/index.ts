export * from './broker.ts';
export * from './dead-letters.ts';
export * from './envelope.ts';
export * from './idempotency.ts';
export * from './outbox.ts';
export * from './outbox-relay.ts';
export * from './retry.ts';
export * from './topology.ts';
