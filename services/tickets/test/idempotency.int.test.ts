import {
  type AppEnv,
  handleError,
  IDEMPOTENCY_KEYS_COLLECTION,
  type IdempotencyRecord,
  idempotencyKeys,
  type Principal,
} from '@helpdesk/kit';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, newOrg, openTicket } from './fixtures.ts';
import { as, startTickets, type TestUser, type Tickets } from './harness.ts';

let t: Tickets;
let originalAutoAssign: Tickets['deps']['autoAssign'];

beforeAll(async () => {
  t = await startTickets();
  originalAutoAssign = t.deps.autoAssign;
});
afterEach(() => {
  t.deps.autoAssign = originalAutoAssign;
});
afterAll(async () => {
  await t?.close();
});

const records = () => t.store.conn.collection<IdempotencyRecord>(IDEMPOTENCY_KEYS_COLLECTION);
const recordOf = (who: TestUser, key: string) => records().findOne({ sub: who.id, key });
const ticketsOf = (who: TestUser) => t.store.models.tickets.countDocuments({ orgId: who.orgId });
const withKey = (key: string) => ({ 'idempotency-key': key });
const post = (who: TestUser, body: unknown, key?: string, path = '/api/tickets/') =>
  as(t, who).post(path, body, key === undefined ? {} : withKey(key));

/** Holds the next ticket create inside the handler (in the assignment rules) until released. */
function holdNextCreate() {
  const entered = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  let calls = 0;
  t.deps.autoAssign = async (draft) => {
    if (calls++ === 0) {
      entered.resolve();
      await gate.promise;
    }
    return originalAutoAssign(draft);
  };
  return { entered: entered.promise, release: () => gate.resolve() };
}

describe('Idempotency-Key on POST /api/tickets/', () => {
  it('when a POST is repeated with the same key and body, then one ticket is created and the first answer is replayed', async () => {
    const customer = await t.user('user');
    const body = { title: 'Printer on fire', tags: ['printer'] };
    const first = expectStatus(await post(customer, body, 'create-1'), 201);
    const again = expectStatus(await post(customer, body, 'create-1'), 201);
    const bare = expectStatus(await post(customer, body, 'create-1', '/api/tickets'), 201);

    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (const replay of [again, bare]) {
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      for (const h of ['etag', 'location', 'content-type'])
        expect(replay.headers.get(h)).toBe(first.headers.get(h));
    }
    expect(await ticketsOf(customer)).toBe(1);

    const stored = await recordOf(customer, 'create-1');
    expect(stored).toMatchObject({
      org: customer.orgId,
      method: 'POST',
      path: '/api/tickets',
      state: 'done',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      response: { status: 201, body: JSON.stringify(first.body) },
    });
    expect(stored).not.toHaveProperty('lockedUntil');
    const ttl = (stored?.expiresAt.getTime() ?? 0) - Date.now();
    expect(ttl).toBeGreaterThan(23.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
    const indexes = await records().indexes();
    expect(indexes).toContainEqual(expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }));
  });

  it('when 10 identical POSTs with one key arrive at once, then exactly one ticket is created and the rest replay or wait', async () => {
    const customer = await t.user('user');
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => post(customer, { title: 'Concurrent' }, 'burst')),
    );
    expect(await ticketsOf(customer)).toBe(1);
    const original = replies.filter((r) => r.status === 201 && !r.headers.get('idempotent-replayed'));
    expect(original).toHaveLength(1);
    for (const r of replies) {
      if (r.status === 201) expect(r.body).toEqual(original[0]?.body);
      else {
        expectProblem(r, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
        expect(r.headers.get('retry-after')).toBe('1');
      }
    }
    const later = await post(customer, { title: 'Concurrent' }, 'burst');
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(later.body).toEqual(original[0]?.body);
  });

  it('when the key comes back with a different body, then 422 IDEMPOTENCY_KEY_REUSED and nothing more is created', async () => {
    const customer = await t.user('user');
    expectStatus(await post(customer, { title: 'First' }, 'reused'), 201);
    const other = await post(customer, { title: 'Second' }, 'reused');
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await ticketsOf(customer)).toBe(1);
  });

  it('when different users, or one user on different endpoints, use the same key, then they do not collide', async () => {
    const org = newOrg();
    const [alice, bob, admin] = await Promise.all([
      t.user('user', org),
      t.user('user', org),
      t.user('admin', org),
    ]);
    const a = expectStatus(await post(alice, { title: 'Same' }, 'shared'), 201);
    const b = expectStatus(await post(bob, { title: 'Same' }, 'shared'), 201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect([a.body.created_by, b.body.created_by]).toEqual([alice.id, bob.id]);
    const aliceAgain = await post(alice, { title: 'Same' }, 'shared');
    expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(aliceAgain.body.id).toBe(a.body.id);

    const ticket = expectStatus(await post(admin, { title: 'Same' }, 'shared'), 201);
    const category = expectStatus(await post(admin, { name: 'Same' }, 'shared', '/api/categories/'), 201);
    expect(category.headers.get('idempotent-replayed')).toBeNull();
    expect(category.body.id).not.toBe(ticket.body.id);
    expect(await ticketsOf(admin)).toBe(3);
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['not ASCII', 'clé'],
  ])('when the key is %s, then 400 names Idempotency-Key and nothing is created', async (_, key) => {
    const customer = await t.user('user');
    const reply = await post(customer, { title: 'Bad key' }, key);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await ticketsOf(customer)).toBe(0);
  });

  it('when the key has 255 printable characters, then it is taken', async () => {
    const customer = await t.user('user');
    const key = `~! ${'k'.repeat(250)}"#`;
    expect(key).toHaveLength(255);
    expectStatus(await post(customer, { title: 'Long key' }, key), 201);
    expect(await recordOf(customer, key)).toMatchObject({ state: 'done' });
  });

  it('when there is no key, then identical POSTs each create a ticket and nothing is stored', async () => {
    const customer = await t.user('user');
    const a = expectStatus(await post(customer, { title: 'Twice' }), 201);
    const b = expectStatus(await post(customer, { title: 'Twice' }), 201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
    expect(await ticketsOf(customer)).toBe(2);
    expect(await records().countDocuments({ sub: customer.id })).toBe(0);
  });

  it('when the first attempt fails with a 5xx, then the key is released and the retry creates the ticket', async () => {
    const customer = await t.user('user');
    t.deps.autoAssign = async () => {
      throw new Error('rules store down');
    };
    expectProblem(await post(customer, { title: 'Retry me' }, 'flaky'), 500, 'INTERNAL');
    expect(await recordOf(customer, 'flaky')).toBeNull();
    t.deps.autoAssign = originalAutoAssign;
    const retry = expectStatus(await post(customer, { title: 'Retry me' }, 'flaky'), 201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect((await post(customer, { title: 'Retry me' }, 'flaky')).headers.get('idempotent-replayed')).toBe(
      'true',
    );
    expect(await ticketsOf(customer)).toBe(1);
  });

  it('when the first answer is a 409, then it is not kept: a retry runs again once the state allows it', async () => {
    const admin = await t.user('admin');
    const ticket = await openTicket(t, admin);
    const close = () => post(admin, { status: 'closed' }, 'close-it', `/api/tickets/${ticket.id}/status/`);
    expectProblem(await close(), 409, 'TICKET_ILLEGAL_TRANSITION');
    expect(await recordOf(admin, 'close-it')).toBeNull();
    expectStatus(await as(t, admin).post(`/api/tickets/${ticket.id}/status/`, { status: 'resolved' }), 200);
    const retried = expectStatus(await close(), 200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body.status).toBe('closed');
    expect((await close()).headers.get('idempotent-replayed')).toBe('true');
  });

  it('when the first request is still running, then a repeat gets 409 with Retry-After and another body 422', async () => {
    const customer = await t.user('user');
    const held = holdNextCreate();
    const first = post(customer, { title: 'Slow' }, 'slow');
    await held.entered;
    const repeat = await post(customer, { title: 'Slow' }, 'slow');
    expectProblem(repeat, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
    expect(repeat.headers.get('retry-after')).toBe('1');
    expectProblem(await post(customer, { title: 'Other' }, 'slow'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await recordOf(customer, 'slow')).toMatchObject({
      state: 'pending',
      lockedUntil: expect.any(Date),
    });
    held.release();
    const done = expectStatus(await first, 201);
    const replay = await post(customer, { title: 'Slow' }, 'slow');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(done.body);
  });

  it('when the holder of a key stopped (its lock lapsed), then a retry takes the key over', async () => {
    const customer = await t.user('user');
    const held = holdNextCreate();
    const stuck = post(customer, { title: 'Crashed' }, 'crashed');
    await held.entered;
    await records().updateOne({ sub: customer.id, key: 'crashed' }, { $set: { lockedUntil: new Date(0) } });
    const retry = expectStatus(await post(customer, { title: 'Crashed' }, 'crashed'), 201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(t.logs.some((l) => l.includes('took over an Idempotency-Key'))).toBe(true);

    held.release();
    await stuck;
    expect(t.logs.some((l) => l.includes('was taken over while the handler ran'))).toBe(true);
    const replay = await post(customer, { title: 'Crashed' }, 'crashed');
    expect(replay.body.id).toBe(retry.body.id);
  });

  it('when the stored answer has expired, then the key counts as new', async () => {
    const customer = await t.user('user');
    const first = expectStatus(await post(customer, { title: 'Old' }, 'expiring'), 201);
    await records().updateOne({ sub: customer.id, key: 'expiring' }, { $set: { expiresAt: new Date(0) } });
    const fresh = expectStatus(await post(customer, { title: 'New' }, 'expiring'), 201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(fresh.body.id).not.toBe(first.body.id);
    expect(await recordOf(customer, 'expiring')).toMatchObject({
      state: 'done',
      response: { body: JSON.stringify(fresh.body) },
    });
  });
});

describe('idempotencyKeys() with other bodies', () => {
  /** How many chunks the last `lazyForm` body has handed out. */
  const pulled = { count: 0 };

  /** A bare app with the middleware behind a stand-in for requireAuth. */
  function miniApp(opts: { maxBodyBytes?: number } = {}) {
    const runs = { count: 0, pulledAtFirstByte: -1 };
    const principal: Principal = {
      sub: `u-${Date.now()}-${Math.random()}`,
      org: 'o',
      role: 'user',
      jti: 'j',
      sid: undefined,
      iat: 0,
      exp: 0,
    };
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.use('*', async (c, next) => {
      c.set('principal', principal);
      await next();
    });
    app.use('*', idempotencyKeys({ conn: t.store.conn, logger: pino({ level: 'silent' }), ...opts }));
    app.post('/upload', async (c) => {
      runs.count++;
      const file = (await c.req.formData()).get('file') as File;
      return c.json({ name: file.name, text: await file.text(), run: runs.count }, 201);
    });
    app.post('/raw', async (c) => {
      runs.count++;
      return c.json({ streamed: await new Response(c.req.raw.body).text(), run: runs.count }, 201);
    });
    /** Reads the body as a stream, noting how much of it the client had been asked for by its first chunk. */
    app.post('/stream', async (c) => {
      runs.count++;
      let size = 0;
      for await (const chunk of c.req.raw.body ?? []) {
        if (size === 0) runs.pulledAtFirstByte = pulled.count;
        size += chunk.byteLength;
      }
      return c.json({ size, run: runs.count }, 201);
    });
    /** Refuses on the headers alone, as the upload route does a declared length over its limit. */
    app.post('/refuse', (c) => {
      runs.count++;
      return c.json({ refused: true, run: runs.count }, 400);
    });
    app.get('/raw', (c) => {
      runs.count++;
      return c.json({ run: runs.count });
    });
    return { app, runs };
  }

  /** A multipart body that hands out `chunks` chunks of 16 KiB only as they are read. */
  function lazyForm(key: string, chunks: number) {
    const boundary = 'lazy-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    pulled.count = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled.count++;
          if (pulled.count === 1) controller.enqueue(head);
          else if (pulled.count <= chunks + 1) controller.enqueue(new Uint8Array(16 * 1024).fill(120));
          else {
            controller.enqueue(tail);
            controller.close();
          }
        },
      },
      { highWaterMark: 0 },
    );
    return new Request('http://tickets/stream', {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { ...withKey(key), 'content-type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit);
  }

  /** The form of `upload`, with its bytes handed out `size` at a time. */
  async function inPieces(request: Request, size: number) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.subarray(i, i + size));
        controller.close();
      },
    });
    return new Request(request.url, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: request.headers,
    } as RequestInit);
  }

  const upload = (content: string, key: string) => {
    const form = new FormData();
    form.set('file', new File([content], 'notes.txt', { type: 'text/plain' }));
    return new Request('http://tickets/upload', { method: 'POST', body: form, headers: withKey(key) });
  };

  it('when a multipart upload is retried with a new boundary, then the handler still parses it and the retry replays', async () => {
    const { app, runs } = miniApp();
    const first = upload('hello', 'm-1');
    const retry = upload('hello', 'm-1');
    expect(first.headers.get('content-type')).not.toBe(retry.headers.get('content-type'));
    const a = await app.request(first);
    expect(a.status).toBe(201);
    expect(await a.json()).toEqual({ name: 'notes.txt', text: 'hello', run: 1 });
    const b = await app.request(retry);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await b.json()).toEqual({ name: 'notes.txt', text: 'hello', run: 1 });
    const other = await app.request(upload('goodbye', 'm-1'));
    expect(other.status).toBe(422);
    expect(runs.count).toBe(1);
  });

  it('when a multipart body comes with a key, then the handler reads it as it arrives, not once it was held whole', async () => {
    const { app, runs } = miniApp();
    const chunks = 64;
    const first = await app.request(lazyForm('s-1', chunks));
    expect(first.status).toBe(201);
    const { size } = (await first.json()) as { size: number };
    expect(size).toBeGreaterThan(chunks * 16 * 1024);
    // Held whole, the body would have been pulled to its end before the handler saw a byte.
    expect(runs.pulledAtFirstByte).toBeGreaterThan(0);
    expect(runs.pulledAtFirstByte).toBeLessThan(8);
    expect(await records().findOne({ key: 's-1' })).toMatchObject({
      state: 'done',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const again = await app.request(lazyForm('s-1', chunks));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(runs.count).toBe(1);
    expect((await app.request(lazyForm('s-1', chunks + 1))).status).toBe(422);
    expect(runs.count).toBe(1);
  });

  it('when a multipart form arrives cut at other places, or with a boundary split between chunks, then it is the same request', async () => {
    const { app, runs } = miniApp();
    expect((await app.request(await inPieces(upload('hello', 'p-1'), 7))).status).toBe(201);
    for (const size of [1, 3, 64 * 1024]) {
      const retry = await app.request(await inPieces(upload('hello', 'p-1'), size));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
    }
    expect((await app.request(await inPieces(upload('hellO', 'p-1'), 5))).status).toBe(422);
    expect(runs.count).toBe(1);
  });

  it('when a multipart request is answered before its body was read, then the answer is not kept and a retry runs again', async () => {
    const { app, runs } = miniApp();
    const refuse = () => {
      const form = upload('hello', 'u-1');
      return new Request('http://tickets/refuse', {
        method: 'POST',
        body: form.body,
        duplex: 'half',
        headers: form.headers,
      } as RequestInit);
    };
    expect((await app.request(refuse())).status).toBe(400);
    expect(await records().findOne({ key: 'u-1' })).toBeNull();
    const retry = await app.request(refuse());
    expect(retry.status).toBe(400);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(runs.count).toBe(2);
  });

  it('when a handler streams the raw body, then it reads it whole; a different query is another request', async () => {
    const { app, runs } = miniApp();
    const send = (query = '') =>
      app.request(`/raw${query}`, { method: 'POST', body: 'x'.repeat(100_000), headers: withKey('r-1') });
    const a = await send();
    expect(await a.json()).toEqual({ streamed: 'x'.repeat(100_000), run: 1 });
    expect((await send('?dry_run=1')).status).toBe(422);
    expect(runs.count).toBe(1);
  });

  it('when a body is larger than the limit, then a request with a key gets 413 and one without runs', async () => {
    const { app, runs } = miniApp({ maxBodyBytes: 1024 });
    const big = 'x'.repeat(2048);
    const refused = await app.request('/raw', { method: 'POST', body: big, headers: withKey('big') });
    expect(refused.status).toBe(413);
    expect(runs.count).toBe(0);
    expect((await app.request('/raw', { method: 'POST', body: big })).status).toBe(201);
  });

  it('when a GET carries a key, then it runs every time and nothing is stored', async () => {
    const { app, runs } = miniApp();
    await app.request('/raw', { headers: withKey('g-1') });
    const again = await app.request('/raw', { headers: withKey('g-1') });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(runs.count).toBe(2);
    expect(await records().countDocuments({ key: 'g-1' })).toBe(0);
  });
});
