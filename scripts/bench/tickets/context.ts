// What the phases of the tickets benchmark share.
import { PENDING_OUTBOX_FILTER } from '../../../libs/messaging/src/index.ts';
import type { Store } from '../../../services/tickets/src/infra/store.ts';
import type { TicketDoc } from '../../../services/tickets/src/infra/ticket.model.ts';
import type { TicketsStack } from './stack.ts';

/** Aborted on Ctrl-C: every loop of the phases checks it between two steps. */
export const stopping = new AbortController();

export interface Admin {
  id: string;
  orgId: string;
  token: string;
}

export interface BenchContext {
  stack: TicketsStack;
  /** The benchmark's own connection to the tickets database (the raw driver under mongoose). */
  store: Store;
  admin: Admin;
  /** The raw side's database, on the same server. */
  rawDb: string;
  /** Processes whose CPU time is accounted, by name. */
  pids: Record<string, number | undefined>;
}

type Db = ReturnType<ReturnType<Store['conn']['getClient']>['db']>;
export const ticketsOf = (db: Db) => db.collection<TicketDoc>('tickets');
export type TicketsCollection = ReturnType<typeof ticketsOf>;
export const countersOf = (db: Db) => db.collection<{ _id: string; seq: number }>('ticket_counters');

/** Waits (bounded) until the service's outbox relay has published every pending event. */
export async function outboxDrained(ctx: BenchContext, timeoutMs = 15_000): Promise<boolean> {
  const tickets = ticketsOf(ctx.store.conn.getClient().db(ctx.stack.dbs.tickets));
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    stopping.signal.throwIfAborted();
    if ((await tickets.countDocuments(PENDING_OUTBOX_FILTER)) === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * A new org's admin, as a client would make one: register with `org` at `base` (the gateway, or
 * identity itself), then log in.
 */
export async function registerAdmin(base: string): Promise<Admin> {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const user = {
    username: `bench_${tag}`,
    email: `bench_${tag}@example.test`,
    password: 'a long bench password 1',
  };
  const post = (path: string, body: object) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reg = await post('/api/auth/register/', { ...user, password2: user.password, org: `Bench ${tag}` });
  if (reg.status !== 201) throw new Error(`cannot register the admin: ${reg.status} ${await reg.text()}`);
  const login = await post('/api/auth/login/', { username: user.username, password: user.password });
  if (!login.ok) throw new Error(`cannot log in: ${login.status} ${await login.text()}`);
  const { access } = (await login.json()) as { access: string };
  const claims = JSON.parse(Buffer.from(access.split('.')[1] ?? '', 'base64url').toString()) as {
    sub: string;
    org: string;
    role: string;
  };
  if (claims.role !== 'admin') throw new Error(`the registrant is ${claims.role}, not an admin`);
  return { id: claims.sub, orgId: claims.org, token: access };
}
