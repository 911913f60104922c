import { deleteQueues, type ServiceProcess, startService, stopService, uniqueDbUrl } from '@helpdesk/testkit';

export interface RunningStack {
  gateway: string;
  services: Record<string, ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * identity and the gateway on free ports (with `tickets`, the tickets service too), each service
 * with its own fresh database. Tickets starts once identity answers, since it loads identity's
 * snapshots before serving.
 */
export async function startAuthStack(
  servers: { mongoUrl: string; amqpUrl: string },
  opts: { tickets?: boolean } = {},
): Promise<RunningStack> {
  const identity = await startService('identity', {
    MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_identity'),
    AMQP_URL: servers.amqpUrl,
    TRUST_PROXY: 'true',
  });
  const common = {
    AMQP_URL: servers.amqpUrl,
    IDENTITY_URL: identity.url,
    JWKS_URL: `${identity.url}/api/auth/jwks.json`,
  };
  // Queues of its own, so no other tickets process on the broker takes its users' events.
  const queuePrefix = `e2e-tickets-${Date.now().toString(36)}`;
  const tickets = opts.tickets
    ? await startService('tickets', {
        ...common,
        MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_tickets'),
        QUEUE_PREFIX: queuePrefix,
      })
    : undefined;
  const gateway = await startService('gateway', {
    ...common,
    ...(tickets ? { TICKETS_URL: tickets.url } : {}),
  });
  const services: Record<string, ServiceProcess> = { identity, gateway, ...(tickets ? { tickets } : {}) };
  return {
    gateway: gateway.url,
    services,
    async stop() {
      await stopService(gateway);
      if (tickets) {
        await stopService(tickets);
        await deleteQueues(servers.amqpUrl, [`${queuePrefix}.users`, `${queuePrefix}.escalations`]);
      }
      await stopService(identity);
    },
  };
}
