import type { Envelope, Role } from '@helpdesk/contracts';
import { createTokenVerifier, databaseName, RevocationList } from '@helpdesk/kit';
import { type Broker, connectBroker } from '@helpdesk/messaging';
import {
  collectEvents,
  deleteQueues,
  jsonClient,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testServers,
  testToken,
  testTokenKey,
  uniqueDbUrl,
} from '@helpdesk/testkit';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { loadSlaConfig } from '../src/config.ts';
import type { ResolvedPolicy } from '../src/domain/policy.ts';
import { startSlaRuntime } from '../src/runtime.ts';
import { bundleSlaWorkflows } from '../src/worker.ts';

export interface TestUser {
  id: string;
  orgId: string;
  role: Role;
  token: string;
}

let counter = 0;

/** An access token as identity would issue it. */
export const tokenFor = (sub: string, org: string, role: Role) => testToken(sub, org, role);

/** Bundling the workflows takes seconds: once per test file, shared by its runtimes. */
let bundle: Promise<WorkflowBundle> | undefined;
function sharedBundle(): Promise<WorkflowBundle> {
  if (!bundle) {
    try {
      // Worker lifecycle logs at INFO would drown the test output.
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Installed already in this process: keep that one.
    }
    bundle = bundleSlaWorkflows({ logger: new DefaultLogger('WARN') });
  }
  return bundle;
}

/**
 * One sla replica wired as main.ts wires it (real MongoDB stand-in, RabbitMQ, the Temporal dev
 * server with an in-process worker), served in-process through `app.request()`.
 *
 * Tests share the broker and the Temporal namespace with whatever else runs at the time, so each
 * runtime has its own queues (named after its database), its own task queue (a worker never takes
 * another run's tasks), and follows only the ticket events of its own orgs (`t.org()`): a workflow
 * id is namespace-wide, and it must not start one for a ticket of someone else's test.
 *
 * `t.usePolicy(orgId, policy)` stands in for the org's configured policies (short targets for
 * real-time tests); other orgs get the default.
 */
export async function startSla(env: Record<string, string> = {}, opts: { clock?: () => Date } = {}) {
  const servers = testServers();
  const mongo = env.MONGO_URL ?? uniqueDbUrl(servers.mongoUrl, 'sla');
  const tag = databaseName(mongo, 'sla')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '_');
  const config = loadSlaConfig({
    AMQP_URL: servers.amqpUrl,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_NAMESPACE: servers.temporalNamespace,
    QUEUE_PREFIX: tag,
    SLA_TASK_QUEUE: `sla-test-${uuidv7()}`,
    ...env,
    MONGO_URL: mongo,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const verifier = createTokenVerifier({
    jwks: testTokenKey,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    revocations: new RevocationList(),
  });
  const policies = new Map<string, ResolvedPolicy>();
  const orgPrefix = `org-${tag}-`;
  const runtime = await startSlaRuntime({
    config,
    logger,
    verifier,
    loadSnapshots: false,
    connectionName: 'sla-test',
    workflowBundle: await sharedBundle(),
    matchPolicy: async (request) => policies.get(request.orgId) ?? null,
    acceptOrg: (orgId) => orgId.startsWith(orgPrefix),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  // Publishes as the tickets service would, on a connection of its own.
  let publisher: Broker | undefined;
  try {
    publisher = await connectBroker({ url: servers.amqpUrl, logger, name: 'sla-test-publisher' });
  } catch (err) {
    await runtime.close();
    throw err;
  }

  /** A fresh org this runtime follows. */
  const org = (name = 'o') => `${orgPrefix}${name}-${counter++}`;

  /** A user with a token; the sla service knows users only by their tokens. */
  async function user(role: Role, orgId = org()): Promise<TestUser> {
    const id = `u-${uuidv7()}`;
    return { id, orgId, role, token: await tokenFor(id, orgId, role) };
  }

  /**
   * Stops the runtime and deletes its queues, which would otherwise collect events for good. Its
   * running workflows are terminated first: no worker will ever serve their task queue again.
   */
  async function close() {
    await publisher?.close();
    try {
      const running = runtime.client.workflow.list({
        query: `TaskQueue = "${config.SLA_TASK_QUEUE}" AND ExecutionStatus = "Running"`,
      });
      for await (const wf of running)
        await runtime.client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test runtime closed');
    } catch (err) {
      logger.warn({ err }, 'could not terminate the test workflows');
    }
    await runtime.close();
    await deleteQueues(servers.amqpUrl, [
      `${config.QUEUE_PREFIX}.tickets`,
      `${config.QUEUE_PREFIX}.categories`,
    ]);
  }

  return {
    ...runtime,
    close,
    logs,
    org,
    user,
    publish: (event: Envelope) => (publisher as Broker).publish(event),
    usePolicy: (orgId: string, policy: ResolvedPolicy) => void policies.set(orgId, policy),
  };
}
export type Sla = Awaited<ReturnType<typeof startSla>>;

export type { Reply } from '@helpdesk/testkit';

/** HTTP over `app.request()` as `who`. */
export function as(t: Sla, who: TestUser | undefined) {
  return jsonClient(
    (path, init) => t.app.request(path, init),
    () => who?.token,
  );
}

/** Collects the events the sla service publishes (`ticket.escalated`, `sla.*`) while a test runs. */
export function collectSlaEvents() {
  return collectEvents(testServers().amqpUrl, ['ticket.escalated', 'sla.*']);
}
