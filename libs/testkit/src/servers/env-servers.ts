import type { ServerParts } from './server-parts.ts';
import { TEMPORAL_NAMESPACE } from './test-servers.ts';

/** Servers the caller named in env (e.g. CI with its own services); each one on its own. */
export function envServers(env: NodeJS.ProcessEnv): ServerParts {
  const parts: ServerParts = {};
  if (env.MONGO_URL) parts.mongo = { mongoUrl: env.MONGO_URL };
  if (env.AMQP_URL) {
    parts.amqp = {
      amqpUrl: env.AMQP_URL,
      amqpManagementUrl: env.AMQP_MANAGEMENT_URL ?? guessManagementUrl(env.AMQP_URL),
    };
  }
  if (env.TEMPORAL_ADDRESS) {
    parts.temporal = {
      temporalAddress: env.TEMPORAL_ADDRESS,
      temporalNamespace: env.TEMPORAL_NAMESPACE ?? TEMPORAL_NAMESPACE,
    };
  }
  if (env.TEMPORAL_TEST_SERVER_PATH) parts.temporalTestServerPath = env.TEMPORAL_TEST_SERVER_PATH;
  return parts;
}

/** The management plugin's default port on the broker's host, with the AMQP credentials. */
function guessManagementUrl(amqpUrl: string): string {
  const url = new URL(amqpUrl);
  const auth = url.username ? `${url.username}:${url.password}@` : 'guest:guest@';
  return `http://${auth}${url.hostname}:15672`;
}
