import {
  deleteQueues,
  type ServiceProcess,
  startService,
  stopService,
  type TestServers,
  uniqueDbUrl,
} from '@helpdesk/testkit';

/** The reporting process's INTERNAL_TOKEN, for tests that call its /internal routes directly. */
export const REPORTING_INTERNAL_TOKEN = 'e2e-reporting-internal-token-0123456789abcdef';
/** The durable queues the reporting service declares under its QUEUE_PREFIX. */
const REPORTING_QUEUES = (prefix: string) => [`${prefix}.events`];

export interface RunningStack {
  gateway: string;
  services: Record<string, ServiceProcess>;
  stop(): Promise<void>;
}

type StackServers = Pick<TestServers, 'mongoUrl' | 'amqpUrl'> &
  Partial<Pick<TestServers, 'temporalAddress' | 'temporalNamespace'>>;

/** Starts them side by side; if any fails, the others are stopped again before it rethrows. */
async function startAll(
  starts: Array<Promise<ServiceProcess | undefined>>,
): Promise<Array<ServiceProcess | undefined>> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s) => s.status === 'rejected');
  if (!failed) return settled.map((s) => (s as PromiseFulfilledResult<ServiceProcess | undefined>).value);
  for (const s of settled) if (s.status === 'fulfilled' && s.value) await stopService(s.value);
  throw failed.reason;
}

/**
 * identity and the gateway on free ports (with `tickets`, the tickets service too; with `sla`,
 * the sla service and its Temporal worker on the servers' Temporal; with `reporting`, the
 * reporting service), each service with its own fresh database. The others start once identity
 * answers, since they load identity's snapshots before serving.
 */
export async function startAuthStack(
  servers: StackServers,
  opts: { tickets?: boolean; sla?: boolean; reporting?: boolean } = {},
): Promise<RunningStack> {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
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
  // Queues (and for sla a task queue) of their own, so no other process on the broker or the
  // Temporal namespace takes this stack's events or workflow tasks.
  const ticketsPrefix = `e2e-tickets-${run}`;
  const slaPrefix = `e2e-sla-${run}`;
  const reportingPrefix = `e2e-reporting-${run}`;
  let tickets: ServiceProcess | undefined;
  let sla: ServiceProcess | undefined;
  let reporting: ServiceProcess | undefined;
  try {
    [tickets, sla, reporting] = await startAll([
      opts.tickets
        ? startService('tickets', {
            ...common,
            MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_tickets'),
            QUEUE_PREFIX: ticketsPrefix,
          })
        : Promise.resolve(undefined),
      opts.sla ? startSla(servers, common, slaPrefix) : Promise.resolve(undefined),
      opts.reporting
        ? startService('reporting', {
            ...common,
            MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_reporting'),
            QUEUE_PREFIX: reportingPrefix,
            INTERNAL_TOKEN: REPORTING_INTERNAL_TOKEN,
          })
        : Promise.resolve(undefined),
    ]);
  } catch (err) {
    await stopService(identity);
    throw err;
  }
  const gateway = await startService('gateway', {
    ...common,
    ...(tickets ? { TICKETS_URL: tickets.url } : {}),
    ...(sla ? { SLA_URL: sla.url } : {}),
    ...(reporting ? { REPORTING_URL: reporting.url } : {}),
  });
  const services: Record<string, ServiceProcess> = {
    identity,
    gateway,
    ...(tickets ? { tickets } : {}),
    ...(sla ? { sla } : {}),
    ...(reporting ? { reporting } : {}),
  };
  return {
    gateway: gateway.url,
    services,
    async stop() {
      await stopService(gateway);
      if (reporting) {
        await stopService(reporting);
        await deleteQueues(servers.amqpUrl, REPORTING_QUEUES(reportingPrefix));
      }
      if (sla) {
        await stopService(sla);
        await deleteQueues(servers.amqpUrl, [`${slaPrefix}.tickets`, `${slaPrefix}.categories`]);
      }
      if (tickets) {
        await stopService(tickets);
        await deleteQueues(servers.amqpUrl, [`${ticketsPrefix}.users`, `${ticketsPrefix}.escalations`]);
      }
      await stopService(identity);
    },
  };
}

function startSla(servers: StackServers, common: Record<string, string>, queuePrefix: string) {
  if (!servers.temporalAddress || !servers.temporalNamespace) {
    return Promise.reject(new Error('the sla service needs temporalAddress and temporalNamespace'));
  }
  return startService(
    'sla',
    {
      ...common,
      MONGO_URL: uniqueDbUrl(servers.mongoUrl, 'e2e_sla'),
      TEMPORAL_ADDRESS: servers.temporalAddress,
      TEMPORAL_NAMESPACE: servers.temporalNamespace,
      SLA_TASK_QUEUE: queuePrefix,
      QUEUE_PREFIX: queuePrefix,
      SLA_WORKER: 'true',
    },
    // Bundling the workflow code comes before the worker is ready.
    { readyTimeoutMs: 60_000 },
  );
}
