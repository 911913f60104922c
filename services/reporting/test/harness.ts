import type { Envelope, Role } from '@helpdesk/contracts';
import { createTokenVerifier, databaseName, RevocationList } from '@helpdesk/kit';
import { type Broker, connectBroker } from '@helpdesk/messaging';
import {
  deleteQueues,
  jsonClient,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testServers,
  testToken,
  testTokenKey,
  uniqueDbUrl,
  waitFor,
} from '@helpdesk/testkit';
import { pino } from 'pino';
import { loadReportingConfig } from '../src/config.ts';
import { startReportingRuntime } from '../src/runtime.ts';
import type { ReportingDeps } from '../src/use-cases/deps.ts';
import { SLA_DOUBLE } from './scenario.ts';

export interface TestUser {
  id: string;
  orgId: string;
  role: Role;
  token: string;
}

let counter = 0;

/** The instant the tests' reports take as "now": ranges and ageing are fixed by it. */
export const NOW = new Date('2026-11-16T12:00:00Z');

export const INTERNAL_TOKEN = 'test-internal-token-0123456789abcdef0123456789';

/**
 * One reporting replica wired as main.ts wires it (real MongoDB stand-in and RabbitMQ), served
 * in-process through `app.request()`. Its queue is named after its database, and it projects
 * only its own orgs' events (`t.org()`) and its own SLA effects: the broker is shared with
 * whatever else runs.
 */
export async function startReporting(
  opts: {
    faults?: ReportingDeps['faults'];
    leaseMs?: number;
    maintenanceMs?: number;
    /** null: a replica started without INTERNAL_TOKEN. */
    internalToken?: null;
  } = {},
) {
  const servers = testServers();
  const mongo = uniqueDbUrl(servers.mongoUrl, 'reporting');
  const tag = databaseName(mongo, 'reporting')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '_');
  const config = loadReportingConfig({
    AMQP_URL: servers.amqpUrl,
    QUEUE_PREFIX: tag,
    INTERNAL_TOKEN,
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
  const orgPrefix = `org-${tag}-`;
  const runtime = await startReportingRuntime({
    config,
    logger,
    verifier,
    loadSnapshots: false,
    connectionName: 'reporting-test',
    clock: () => NOW,
    // Only our own orgs, and of their SLA effects only those our tests publish: an sla service
    // on the same broker (another test, a dev stack) reacts to our ticket events with real ones.
    acceptEvent: (e) =>
      e.orgId.startsWith(orgPrefix) &&
      (/^ticket\.(created|updated|assigned|status_changed|comment_added)$/.test(e.type) ||
        e.actor.id === SLA_DOUBLE),
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    ...(opts.maintenanceMs !== undefined ? { maintenanceMs: opts.maintenanceMs } : {}),
    ...(opts.internalToken === null ? { internalToken: undefined } : {}),
  });
  let publisher: Broker | undefined;
  try {
    publisher = await connectBroker({ url: servers.amqpUrl, logger, name: 'reporting-test-publisher' });
  } catch (err) {
    await runtime.close();
    throw err;
  }

  const org = (name = 'o') => `${orgPrefix}${name}-${counter++}`;

  async function user(role: Role, orgId: string): Promise<TestUser> {
    const id = `u-${role}-${counter++}`;
    return { id, orgId, role, token: await testToken(id, orgId, role) };
  }

  async function close() {
    await publisher?.close();
    await runtime.close();
    await deleteQueues(servers.amqpUrl, [`${config.QUEUE_PREFIX}.events`]);
  }

  /** Waits until the consumer acknowledged every delivery of `events` (`copies` of each). */
  async function handled(events: Envelope[], copies = 1) {
    const ids = new Set(events.map((e) => e.id));
    const count = () =>
      logs.filter((l) => {
        const line = JSON.parse(l);
        return ids.has(line.messageId) && /^event (already )?projected$/.test(line.msg);
      }).length;
    await waitFor(() => count() === events.length * copies, {
      description: `${events.length * copies} deliveries handled`,
      timeoutMs: 30_000,
    });
  }

  return {
    ...runtime,
    close,
    logs,
    org,
    user,
    handled,
    publish: async (events: Envelope[]) => {
      for (const e of events) await (publisher as Broker).publish(e);
    },
  };
}
export type Reporting = Awaited<ReturnType<typeof startReporting>>;

/** HTTP over `app.request()` as `who`. */
export function as(t: Reporting, who: TestUser | undefined) {
  return jsonClient(
    (path, init) => t.app.request(path, init),
    () => who?.token,
  );
}
