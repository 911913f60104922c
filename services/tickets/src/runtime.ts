import {
  type Closer,
  createMetrics,
  idempotencyKeys,
  type Logger,
  startServiceAuth,
  type TokenVerifier,
} from '@helpdesk/kit';
import { connectBroker, makeEnvelope, startOutboxRelay } from '@helpdesk/messaging';
import { v7 as uuidv7 } from 'uuid';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { consumeKnownUsers } from './consumers/known-users.consumer.ts';
import { consumeTicketEscalated } from './consumers/ticket-escalated.consumer.ts';
import { createAssignmentRuleRepository } from './infra/assignment-rule.repository.ts';
import { createAttachmentStore } from './infra/attachment-store.ts';
import { openStore } from './infra/store.ts';
import { autoAssign } from './use-cases/auto-assign.ts';
import type { TicketsDeps } from './use-cases/deps.ts';
import { syncKnownUsers } from './use-cases/sync-known-users.ts';

/**
 * Everything one tickets replica runs, connected and ready to serve: main.ts serves it, the
 * integration tests call its app in-process. On a start-up failure whatever was opened is closed
 * again and the error is rethrown.
 */
export async function startTicketsRuntime(opts: {
  config: Config;
  logger: Logger;
  connectionName?: string;
  /** Tests verify tokens of their own signing key instead of identity's JWKS. */
  verifier?: TokenVerifier;
  /** Load identity's revocation and users snapshots at start (default true; tests without identity turn it off). */
  loadSnapshots?: boolean;
  clock?: () => Date;
}) {
  const { config, logger } = opts;
  const metrics = createMetrics('tickets');
  const store = await openStore(config.MONGO_URL);
  const closers: Closer[] = [{ name: 'mongodb', close: () => store.close() }];
  const close = async () => {
    for (const c of closers) await c.close();
  };
  try {
    const broker = await connectBroker({
      url: config.AMQP_URL,
      logger,
      name: opts.connectionName ?? 'tickets',
      registry: metrics.registry,
    });
    closers.unshift({ name: 'broker', close: () => broker.close() });
    const relay = startOutboxRelay({
      models: [store.models.tickets, store.models.categories],
      broker,
      logger,
      registry: metrics.registry,
    });
    closers.unshift({ name: 'outbox relay', close: () => relay.stop() });

    const loadSnapshots = opts.loadSnapshots ?? true;
    const auth = await startServiceAuth({
      broker,
      service: 'tickets',
      config,
      logger,
      loadSnapshot: loadSnapshots,
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    });
    closers.unshift({ name: 'session.revoked consumer', close: () => auth.consumer.cancel() });
    const { revocations, verifier } = auth;

    const usersUrl = new URL('/internal/users', config.IDENTITY_URL).href;
    const syncUsers = async () => {
      const synced = await syncKnownUsers(store.users, usersUrl, { token: config.INTERNAL_TOKEN });
      logger.info(synced, 'known users loaded from identity');
    };
    const users = await consumeKnownUsers(broker, store.users, {
      queuePrefix: config.QUEUE_PREFIX,
      onResubscribed: () => {
        if (!loadSnapshots) return;
        syncUsers().catch((err) =>
          logger.error({ err }, 'cannot reload known users after a broker reconnect'),
        );
      },
    });
    closers.unshift({ name: 'users consumer', close: () => users.cancel() });
    // After the binding, so a user registered while the snapshot is read arrives as an event.
    if (loadSnapshots) await syncUsers();

    const rules = await createAssignmentRuleRepository(store.conn);
    const attachments = await createAttachmentStore(store.conn, { maxBytes: config.ATTACHMENT_MAX_BYTES });
    const deps: TicketsDeps = {
      tickets: store.tickets,
      categories: store.categories,
      users: store.users,
      rules,
      attachments,
      settings: {
        maxCommentsPerTicket: config.MAX_COMMENTS_PER_TICKET,
        attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
      },
      autoAssign: (draft) => autoAssign(deps, draft),
      events: {
        envelope: makeEnvelope,
        kick: (written) => {
          if (!written) relay.kick();
          else if ('ticketId' in written)
            relay.kick({ model: store.models.tickets, id: written.ticketId, outbox: written.outbox });
          else relay.kick({ model: store.models.categories, id: written.categoryId });
        },
      },
      clock: opts.clock ?? (() => new Date()),
      newId: uuidv7,
    };
    const escalations = await consumeTicketEscalated(broker, deps, { queuePrefix: config.QUEUE_PREFIX });
    closers.unshift({ name: 'ticket.escalated consumer', close: () => escalations.cancel() });
    const idempotency = idempotencyKeys({ conn: store.conn, logger });
    const app = createApp({
      tickets: deps,
      verifier,
      idempotency,
      logger,
      metrics,
      readiness: { mongo: () => store.ping(), broker: () => broker.check() },
    });
    return { app, config, store, deps, broker, relay, revocations, metrics, closers, close };
  } catch (err) {
    await close();
    throw err;
  }
}
export type TicketsRuntime = Awaited<ReturnType<typeof startTicketsRuntime>>;
