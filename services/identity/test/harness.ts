import { IdentityEvents } from '@helpdesk/contracts';
import { collectEvents, testServers, uniqueDbUrl } from '@helpdesk/testkit';
import { pino } from 'pino';
import { loadIdentityConfig } from '../src/config.ts';
import { startIdentityRuntime } from '../src/runtime.ts';

/**
 * One identity replica wired as main.ts wires it, against the real MongoDB stand-in and
 * RabbitMQ, served in-process through `app.request()`. Log lines are kept for assertions.
 * `clock` replaces the use cases' clock (not the token verifier's), for time-dependent rules.
 * When start-up fails, everything opened so far is closed and the error is rethrown.
 */
export async function startIdentity(env: Record<string, string> = {}, opts: { clock?: () => Date } = {}) {
  const { mongoUrl, amqpUrl } = testServers();
  const config = loadIdentityConfig({
    MONGO_URL: uniqueDbUrl(mongoUrl, 'identity'),
    AMQP_URL: amqpUrl,
    TRUST_PROXY: 'true',
    ...env,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const runtime = await startIdentityRuntime({
    config,
    logger,
    connectionName: 'identity-test',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { ...runtime, logs };
}
export type Identity = Awaited<ReturnType<typeof startIdentity>>;

/** A second replica on the same database (same keys, same users), as a scaled deployment has. */
export function startReplica(of: Identity) {
  return startIdentity({ MONGO_URL: of.config.MONGO_URL });
}

export function collectIdentityEvents() {
  return collectEvents(testServers().amqpUrl, [
    IdentityEvents.UserRegistered,
    IdentityEvents.UserUpdated,
    IdentityEvents.SessionRevoked,
  ]);
}

/** Matches the collected event of `type` about one user. */
export const eventOf =
  (type: string, userId: string) => (e: { routingKey: string; body: { aggregateId: string } }) =>
    e.routingKey === type && e.body.aggregateId === userId;

let ipCounter = 0;

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
}

/** HTTP helpers over `app.request()`; each client has its own address, so throttling tests stay apart. */
export function client(id: Identity, ip = `192.0.2.${(ipCounter++ % 250) + 1}`) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const res = await id.app.request(path, {
      method,
      headers: {
        'x-client-ip': ip,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ip,
    get: (path: string, token?: string): Promise<Reply> => call('GET', path, undefined, token),
    post: (path: string, body?: unknown, token?: string): Promise<Reply> => call('POST', path, body, token),
    patch: (path: string, body: unknown, token?: string): Promise<Reply> => call('PATCH', path, body, token),
    call,
  };
}
export type Client = ReturnType<typeof client>;

let userCounter = 0;

/** Registers a fresh account and logs it in; `org` makes a new org with this user as admin. */
export async function signUp(c: Client, over: Record<string, unknown> = {}) {
  const n = `${Date.now().toString(36)}${userCounter++}`;
  const username = (over.username as string) ?? `u${n}`;
  const password = (over.password as string) ?? 'a good password';
  const reg = await c.post('/api/auth/register/', {
    username,
    email: `${username}@example.com`,
    password,
    first_name: 'Test',
    last_name: 'User',
    ...over,
  });
  if (reg.status !== 201) throw new Error(`register ${reg.status}: ${JSON.stringify(reg.body)}`);
  const login = await c.post('/api/auth/login/', { username, password });
  if (login.status !== 200) throw new Error(`login ${login.status}: ${JSON.stringify(login.body)}`);
  return {
    id: reg.body.id as string,
    orgId: reg.body.org_id as string,
    username,
    password,
    access: login.body.access as string,
    refresh: login.body.refresh as string,
  };
}

/** Makes a staff member of `admin`'s org through the admin API and logs them in. */
export async function hire(c: Client, adminToken: string, role: 'user' | 'agent' | 'admin') {
  const username = `s${Date.now().toString(36)}${userCounter++}`;
  const created = await c.post(
    '/api/auth/users/',
    { username, email: `${username}@example.com`, password: 'a good password', role },
    adminToken,
  );
  if (created.status !== 201) throw new Error(`create ${created.status}: ${JSON.stringify(created.body)}`);
  const login = await c.post('/api/auth/login/', { username, password: 'a good password' });
  return {
    id: created.body.id as string,
    username,
    access: login.body.access as string,
    refresh: login.body.refresh as string,
  };
}
