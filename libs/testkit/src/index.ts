import { inject } from 'vitest';
import type { TestServers } from './servers/test-servers.ts';

export {
  type CollectedEvent,
  collectEvents,
  EVENTS_EXCHANGE,
  type EventCollector,
} from './collect-events.ts';
export { deleteQueues } from './delete-queues.ts';
export { jsonClient, type Reply } from './json-client.ts';
export type { ServerSource, TestServers } from './servers/test-servers.ts';
export { freePort, type ServiceProcess, startService, stopService } from './service-process.ts';
export { uniqueDbUrl } from './unique-db-url.ts';
export { type WaitForOptions, waitFor } from './wait-for.ts';

/** The servers the `int` project's global setup resolved (see docs/infrastructure.md). */
export function testServers(): TestServers {
  return inject('testServers');
}
export { TEST_AUDIENCE, TEST_ISSUER, testToken, testTokenKey } from './test-tokens.ts';
