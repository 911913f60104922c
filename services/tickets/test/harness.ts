import { IdentityEvents, type Role, TicketEvents } from '@helpdesk/contracts';
import { createTokenVerifier, databaseName, RevocationList } from '@helpdesk/kit';
import { makeEnvelope } from '@helpdesk/messaging';
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
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { loadTicketsConfig } from '../src/config.ts';
import { startTicketsRuntime } from '../src/runtime.ts';

export interface TestUser {
  id: string;
  orgId: string;
  role: Role;
  token: string;
}

let counter = 0;

/** An access token as identity would issue it. */
export const tokenFor = (sub: string, org: string, role: Role, jti?: string) =>
  testToken(sub, org, role, jti);

/**
 * One tickets replica wired as main.ts wires it (real MongoDB stand-in, real RabbitMQ), served
 * in-process through `app.request()`; tokens come from `tokenFor`. Log lines are kept.
 */
export async function startTickets(env: Record<string, string> = {}, opts: { clock?: () => Date } = {}) {
  const { mongoUrl, amqpUrl } = testServers();
  const mongo = env.MONGO_URL ?? uniqueDbUrl(mongoUrl, 'tickets');
  // Queues of its own, named after its database: a restart on the same database takes them up
  // again, and no other test's runtime takes its messages.
  const queuePrefix = databaseName(mongo, 'tickets')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '_');
  const config = loadTicketsConfig({
    AMQP_URL: amqpUrl,
    QUEUE_PREFIX: queuePrefix,
    ...env,
    MONGO_URL: mongo,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const revocations = new RevocationList();
  const verifier = createTokenVerifier({
    jwks: testTokenKey,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    revocations,
  });
  const runtime = await startTicketsRuntime({
    config,
    logger,
    verifier,
    loadSnapshots: false,
    connectionName: 'tickets-test',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });

  /**
   * A user known to the tickets service (as if identity's `user.registered` had arrived) with a
   * token. `orgId` defaults to a fresh org, so tests do not see each other's tickets.
   */
  async function user(
    role: Role,
    orgId = `org-${Date.now().toString(36)}-${counter++}`,
    over: { active?: boolean } = {},
  ) {
    const id = `u-${uuidv7()}`;
    await runtime.store.users.record(
      {
        id,
        orgId,
        username: `${role}${counter++}`,
        email: `${id}@example.com`,
        firstName: 'Test',
        lastName: role,
        role,
        active: over.active ?? true,
      },
      1,
    );
    return { id, orgId, role, token: await tokenFor(id, orgId, role) } satisfies TestUser;
  }

  /** Stops the runtime and deletes its queues, which would otherwise collect events for good. */
  async function close() {
    await runtime.close();
    await deleteQueues(amqpUrl, [`${config.QUEUE_PREFIX}.users`, `${config.QUEUE_PREFIX}.escalations`]);
  }

  return { ...runtime, close, logs, user, revocations };
}
export type Tickets = Awaited<ReturnType<typeof startTickets>>;

export type { Reply } from '@helpdesk/testkit';

/** HTTP over `app.request()` as `who`. */
export function as(t: Tickets, who: TestUser | undefined) {
  return jsonClient(
    (path, init) => t.app.request(path, init),
    () => who?.token,
  );
}

/** Collects the ticket events published while a test runs. */
export function collectTicketEvents() {
  return collectEvents(testServers().amqpUrl, Object.values(TicketEvents));
}

/** Publishes identity's `user.updated` as identity would, for the users consumer. */
export { IdentityEvents, makeEnvelope };
