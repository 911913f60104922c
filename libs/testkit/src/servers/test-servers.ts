/** Where a server came from: the caller's env, a container we started, or scripts/infra.sh. */
export type ServerSource = 'env' | 'container' | 'local';

/** URLs of the servers integration tests talk to; plain data, so vitest can hand it to workers. */
export type TestServers = {
  mongoUrl: string;
  amqpUrl: string;
  /** RabbitMQ management API, credentials in the URL (move them to a header for fetch()). */
  amqpManagementUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** Temporal's Java test server binary, for @temporalio/testing's `existing-path`; null when none. */
  temporalTestServerPath: string | null;
  sources: { mongo: ServerSource; amqp: ServerSource; temporal: ServerSource };
};

declare module 'vitest' {
  interface ProvidedContext {
    testServers: TestServers;
  }
}

export const TEMPORAL_NAMESPACE = 'helpdesk';

/** The env variables services and child processes read, as `scripts/infra.sh up` prints them. */
export function serversToEnv(servers: TestServers): Record<string, string> {
  return {
    MONGO_URL: servers.mongoUrl,
    AMQP_URL: servers.amqpUrl,
    AMQP_MANAGEMENT_URL: servers.amqpManagementUrl,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_NAMESPACE: servers.temporalNamespace,
    ...(servers.temporalTestServerPath ? { TEMPORAL_TEST_SERVER_PATH: servers.temporalTestServerPath } : {}),
  };
}
