import { createHash, randomBytes } from 'node:crypto';
import { TicketEvents, TicketUpdatedEventSchema } from '@helpdesk/contracts';
import { type EventCollector, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, collectTicketEvents, type Reply, startTickets, type TestUser, type Tickets } from './harness.ts';
import { download, multipart, type Part, upload } from './multipart.ts';

const MAX_BYTES = 256 * 1024;
let t: Tickets;
let events: EventCollector;

beforeAll(async () => {
  t = await startTickets({ ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
  events = await collectTicketEvents();
});
afterAll(async () => {
  await events?.close();
  await t?.close();
});

/** A real 1×1 PNG; bytes after its IDAT chunk make it as large as a test needs. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const ELF = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
  Buffer.alloc(57),
  randomBytes(512),
]);
const PE = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(58),
  Buffer.from([0x40, 0, 0, 0]),
  Buffer.from('PE\0\0'),
]);
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/steal")</script></body></html>');

function expectStatus(reply: Reply, status: number): Reply {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status });
  return reply;
}

function expectProblem(reply: Reply, status: number, code: string): Reply {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code });
  return reply;
}

let orgs = 0;
async function org() {
  const orgId = `org-a-${Date.now().toString(36)}-${orgs++}`;
  const [customer, agent, admin] = await Promise.all([
    t.user('user', orgId),
    t.user('agent', orgId),
    t.user('admin', orgId),
  ]);
  return { customer, agent, admin };
}

async function openTicket(who: TestUser): Promise<string> {
  return expectStatus(await as(t, who).post('/api/tickets/', { title: 'Screen flickers' }), 201).body.id;
}

const file = (value: Uint8Array, filename: string, type: string): Part => ({
  name: 'file',
  value,
  filename,
  type,
});
const attach = (who: TestUser, id: string, parts: Part[], opts?: Parameters<typeof upload>[4]) =>
  upload(t, who, `/api/tickets/${id}/attachments/`, parts, opts);
const listed = async (who: TestUser, id: string) =>
  expectStatus(await as(t, who).get(`/api/tickets/${id}/attachments/`), 200).body.results;

/** GridFS documents in the bucket: a refused upload must leave none behind. */
const stored = async () => {
  const db = t.store.conn.db;
  if (!db) throw new Error('not connected');
  return {
    files: await db.collection('attachments.files').countDocuments(),
    chunks: await db.collection('attachments.chunks').countDocuments(),
  };
};

describe('POST /api/tickets/{id}/attachments/', () => {
  it('when a customer uploads an image, then it downloads byte for byte with its sniffed type and safe headers', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const bytes = Buffer.concat([PNG, randomBytes(200 * 1024)]);
    const created = expectStatus(
      await attach(customer, id, [file(bytes, 'Bildschirmfoto ü.png', 'image/png')]),
      201,
    );
    expect(created.body).toMatchObject({
      ticket_id: id,
      comment_id: null,
      filename: 'Bildschirmfoto ü.png',
      content_type: 'image/png',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      is_internal: false,
      uploaded_by: customer.id,
    });
    expect(created.headers.get('location')).toBe(created.body.url);

    const got = await download(t, customer, created.body.url);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(Object.fromEntries(got.headers)).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(bytes.length),
      'content-disposition': `attachment; filename="Bildschirmfoto _.png"; filename*=UTF-8''Bildschirmfoto%20%C3%BC.png`,
      'x-content-type-options': 'nosniff',
    });
    expect(await listed(customer, id)).toEqual([created.body]);

    const updated = await events.waitFor((e) => e.body.aggregateId === id && e.body.sequence === 2);
    expect(updated.routingKey).toBe(TicketEvents.Updated);
    expect(TicketUpdatedEventSchema.parse(updated.body).data.changes).toEqual([
      {
        field: 'attachments',
        old: null,
        new: {
          id: created.body.id,
          filename: 'Bildschirmfoto ü.png',
          contentType: 'image/png',
          size: bytes.length,
        },
      },
    ]);
    const history = await t.deps.tickets.history(customer.orgId, id);
    expect(history.at(-1)).toMatchObject({ field: 'attachment', internal: false, actorId: customer.id });
  });

  it('when a UTF-8 text file is uploaded as text, then it is accepted and served as text', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const text = Buffer.from('2030-01-01 12:00 vpn: tunnel down ✗\n'.repeat(3000));
    const created = expectStatus(await attach(customer, id, [file(text, 'vpn.log', 'text/plain')]), 201).body;
    expect(created.content_type).toBe('text/plain; charset=utf-8');
    const got = await download(t, customer, created.url);
    expect(got.bytes.equals(text)).toBe(true);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('when the file is over the limit, then 413 whether the length is declared or streamed, and nothing is kept', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const before = await stored();
    const big = [file(Buffer.concat([PNG, randomBytes(MAX_BYTES)]), 'big.png', 'image/png')];
    expectProblem(await attach(customer, id, big), 413, 'ATTACHMENT_TOO_LARGE');
    expectProblem(await attach(customer, id, big, { chunked: true }), 413, 'ATTACHMENT_TOO_LARGE');
    const exact = [file(Buffer.concat([PNG, randomBytes(MAX_BYTES - PNG.length)]), 'max.png', 'image/png')];
    expectStatus(await attach(customer, id, exact, { chunked: true }), 201);
    expect(await stored()).toEqual({ files: before.files + 1, chunks: before.chunks + 2 });
  });

  it('when the declared length is far over the limit, then 413 before the body is read', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    // The body itself is a small valid upload: only the header can have caused the refusal.
    const claimsTooMuch = { headers: { 'content-length': String(2 * MAX_BYTES) } };
    const reply = await attach(customer, id, [file(PNG, 'a.png', 'image/png')], claimsTooMuch);
    expectProblem(reply, 413, 'ATTACHMENT_TOO_LARGE');
    expect(reply.headers.get('connection')).toBe('close');
    expect(await listed(customer, id)).toEqual([]);
  });

  it('when an executable or HTML is disguised as an image, then 415 says what it really is, and nothing is kept', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const before = await stored();
    const cases: [Buffer, RegExp][] = [
      [ELF, /ELF executable/],
      [PE, /Windows executable/],
      [HTML, /claims to be a PNG image but its content is HTML/],
    ];
    for (const [bytes, says] of cases) {
      const reply = expectProblem(
        await attach(customer, id, [file(bytes, 'x.png', 'image/png')]),
        415,
        'ATTACHMENT_TYPE_REFUSED',
      );
      expect(reply.body.detail).toMatch(says);
    }
    expect(await stored()).toEqual(before);
    expect(await listed(customer, id)).toEqual([]);
  });

  it('when a "text" file turns out binary after its first bytes, then 415 and the stored part is removed', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const before = await stored();
    const bytes = Buffer.concat([Buffer.from('a'.repeat(128 * 1024)), Buffer.from([0, 1, 2])]);
    const reply = expectProblem(
      await attach(customer, id, [file(bytes, 'x.txt', 'text/plain')]),
      415,
      'ATTACHMENT_TYPE_REFUSED',
    );
    expect(reply.body.detail).toMatch(/NUL/);
    expect(await stored()).toEqual(before);
  });

  it('when the form is empty, has no file, a field after the file, or is not multipart, then 400 and nothing is kept', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const before = await stored();
    expectProblem(
      await attach(customer, id, [file(Buffer.alloc(0), 'empty.txt', 'text/plain')]),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await attach(customer, id, [{ name: 'comment_id', value: 'x' }]), 400, 'VALIDATION_FAILED');
    const late = await attach(customer, id, [
      file(PNG, 'a.png', 'image/png'),
      { name: 'comment_id', value: 'x' },
    ]);
    expect(expectProblem(late, 400, 'VALIDATION_FAILED').body.errors[0].message).toMatch(/before the file/);
    expectProblem(
      await as(t, customer).post(`/api/tickets/${id}/attachments/`, { file: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await stored()).toEqual(before);
  });

  it('when an upload is repeated with the same Idempotency-Key, then one file is kept and the first answer replayed', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const parts = [file(Buffer.concat([PNG, randomBytes(1024)]), 'a.png', 'image/png')];
    const headers = { 'idempotency-key': `k-${id}` };
    const first = expectStatus(await attach(customer, id, parts, { headers }), 201);
    const again = expectStatus(await attach(customer, id, parts, { headers }), 201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await listed(customer, id)).toHaveLength(1);
  });

  it('when an upload carries an Idempotency-Key, then the file streams into the store before the client has sent it all', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    // More than one GridFS chunk (255 KiB) in the first half, so the store writes before the rest comes.
    const bytes = Buffer.concat([PNG, randomBytes(261_200), randomBytes(500)]);
    const { body, contentType } = multipart([file(bytes, 'big.png', 'image/png')]);
    const half = body.length - 600;
    const rest = Promise.withResolvers<void>();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.subarray(0, half));
      },
      async pull(controller) {
        await rest.promise;
        controller.enqueue(body.subarray(half));
        controller.close();
      },
    });
    const db = t.store.conn.db;
    if (!db) throw new Error('not connected');
    const chunks = () => db.collection('attachments.chunks').countDocuments();
    const before = await chunks();
    const reply = t.app.request(`/api/tickets/${id}/attachments/`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: {
        authorization: `Bearer ${customer.token}`,
        'content-type': contentType,
        'idempotency-key': `stream-${id}`,
      },
    } as RequestInit);
    try {
      await waitFor(async () => (await chunks()) > before, {
        timeoutMs: 5000,
        description: 'a chunk of the file stored while the body is still open',
      });
    } finally {
      rest.resolve();
    }
    const created = await (await reply).json();
    expect(created).toMatchObject({ size: bytes.length, filename: 'big.png' });
    const again = expectStatus(
      await attach(customer, id, [file(bytes, 'big.png', 'image/png')], {
        headers: { 'idempotency-key': `stream-${id}` },
      }),
      201,
    );
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(created);
    expect(await listed(customer, id)).toHaveLength(1);
  });

  it('when an upload with an Idempotency-Key is refused before its file is read, then the refusal is not kept and a corrected retry stores it', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const parts = [file(PNG, 'a.png', 'image/png')];
    const headers = { 'idempotency-key': `fix-${id}` };
    const claimsTooMuch = { headers: { ...headers, 'content-length': String(2 * MAX_BYTES) } };
    expectProblem(await attach(customer, id, parts, claimsTooMuch), 413, 'ATTACHMENT_TOO_LARGE');
    const retry = expectStatus(await attach(customer, id, parts, { headers }), 201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await listed(customer, id)).toEqual([retry.body]);
  });

  it('when the ticket is closed, then 409 TICKET_CLOSED', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    for (const status of ['resolved', 'closed']) {
      expectStatus(await as(t, agent).post(`/api/tickets/${id}/status/`, { status }), 200);
    }
    expectProblem(await attach(customer, id, [file(PNG, 'a.png', 'image/png')]), 409, 'TICKET_CLOSED');
  });
});

describe('attachments on comments', () => {
  it('when staff attach a file to an internal note, then customers neither list nor download it, and staff do', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    const note = expectStatus(
      await as(t, agent).post(`/api/tickets/${id}/comments/`, { body: 'trace', is_internal: true }),
      201,
    ).body;
    const publicFile = expectStatus(
      await attach(customer, id, [file(PNG, 'screen.png', 'image/png')]),
      201,
    ).body;
    const secret = expectStatus(
      await attach(agent, id, [{ name: 'comment_id', value: note.id }, file(PNG, 'trace.png', 'image/png')]),
      201,
    ).body;
    expect(secret).toMatchObject({ comment_id: note.id, is_internal: true });

    expect((await listed(customer, id)).map((a: { id: string }) => a.id)).toEqual([publicFile.id]);
    expect((await listed(agent, id)).map((a: { id: string }) => a.id)).toEqual([publicFile.id, secret.id]);
    const hidden = await download(t, customer, secret.url);
    expect({ status: hidden.status, code: hidden.body?.code }).toEqual({
      status: 404,
      code: 'ATTACHMENT_NOT_FOUND',
    });
    const seen = await download(t, agent, secret.url);
    expect(seen.status).toBe(200);
    expect(seen.bytes.equals(PNG)).toBe(true);

    const thread = expectStatus(await as(t, agent).get(`/api/tickets/${id}/comments/`), 200).body.results;
    expect(thread[0].attachments.map((a: { id: string }) => a.id)).toEqual([secret.id]);
    // The event reaches customer-facing read models: it names nothing of the internal note's file.
    const updated = await events.waitFor((e) => e.body.aggregateId === id && e.body.sequence === 4);
    expect(TicketUpdatedEventSchema.parse(updated.body).data.changes).toEqual([]);
    const history = await t.deps.tickets.history(customer.orgId, id);
    expect(history.at(-1)).toMatchObject({ field: 'attachment', internal: true });
  });

  it('when a customer attaches to a comment they did not write, or to an unknown one, then it is refused', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    const reply = expectStatus(
      await as(t, agent).post(`/api/tickets/${id}/comments/`, { body: 'Send logs' }),
      201,
    ).body;
    const own = expectStatus(
      await as(t, customer).post(`/api/tickets/${id}/comments/`, { body: 'Logs:' }),
      201,
    ).body;
    const before = await stored();
    const onComment = (commentId: string): Part[] => [
      { name: 'comment_id', value: commentId },
      file(PNG, 'a.png', 'image/png'),
    ];
    expectProblem(await attach(customer, id, onComment(reply.id)), 403, 'TICKET_FORBIDDEN');
    const unknown = expectProblem(await attach(customer, id, onComment('nope')), 400, 'VALIDATION_FAILED');
    expect(unknown.body.errors[0].path).toBe('comment_id');
    expect(await stored()).toEqual(before);
    const mine = expectStatus(await attach(customer, id, onComment(own.id)), 201).body;
    expect(mine.comment_id).toBe(own.id);
    expectStatus(await attach(agent, id, onComment(own.id)), 201);
  });
});

describe('an upload stopped between its two writes', () => {
  /** A file in the store with no ticket write after it, as a crash right after the upload would leave. */
  const orphan = (who: TestUser, ticketId: string, commentId: string | null = null) =>
    t.deps.attachments.save(
      t.deps.newId(),
      {
        orgId: who.orgId,
        ticketId,
        commentId,
        internal: false,
        uploaderId: who.id,
        filename: 'orphan.png',
        contentType: 'image/png',
      },
      (async function* () {
        yield PNG;
      })(),
    );

  /** Makes the next ticket write fail; `afterWriting` lets it happen first, as a lost answer would. */
  function failNextTicketWrite(opts: { afterWriting: boolean }) {
    const original = t.deps.tickets.apply;
    t.deps.tickets.apply = async (read, change) => {
      t.deps.tickets.apply = original;
      if (opts.afterWriting) await original(read, change);
      throw new Error('connection reset');
    };
    return () => {
      t.deps.tickets.apply = original;
    };
  }

  it('when a file is stored but its ticket was never updated, then it is not listed, not on its comment, and 404 on download', async () => {
    const { customer, agent } = await org();
    const id = await openTicket(customer);
    const own = expectStatus(
      await as(t, customer).post(`/api/tickets/${id}/comments/`, { body: 'Screenshot:' }),
      201,
    ).body;
    const kept = expectStatus(await attach(customer, id, [file(PNG, 'kept.png', 'image/png')]), 201).body;
    const lost = [await orphan(customer, id), await orphan(customer, id, own.id)];
    expect(await t.deps.attachments.find(customer.orgId, id, lost[0]?.id ?? '')).not.toBeNull();

    for (const who of [customer, agent]) {
      expect((await listed(who, id)).map((a: { id: string }) => a.id)).toEqual([kept.id]);
      const thread = expectStatus(await as(t, who).get(`/api/tickets/${id}/comments/`), 200).body.results;
      expect(thread[0].attachments).toEqual([]);
      for (const a of lost) {
        const got = await download(t, who, `/api/tickets/${id}/attachments/${a.id}/`);
        expect({ status: got.status, code: got.body?.code }).toEqual({
          status: 404,
          code: 'ATTACHMENT_NOT_FOUND',
        });
      }
    }
  });

  it('when the ticket write fails after the file is stored, then the file is deleted again', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const before = await stored();
    const restore = failNextTicketWrite({ afterWriting: false });
    try {
      expectProblem(await attach(customer, id, [file(PNG, 'a.png', 'image/png')]), 500, 'INTERNAL');
    } finally {
      restore();
    }
    expect(await stored()).toEqual(before);
    expect(await listed(customer, id)).toEqual([]);
  });

  it('when the ticket write went through but its answer was lost, then the recorded file is kept and served', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const restore = failNextTicketWrite({ afterWriting: true });
    try {
      expectProblem(await attach(customer, id, [file(PNG, 'a.png', 'image/png')]), 500, 'INTERNAL');
    } finally {
      restore();
    }
    const files = await listed(customer, id);
    expect(files.map((a: { filename: string }) => a.filename)).toEqual(['a.png']);
    const got = await download(t, customer, files[0].url);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PNG)).toBe(true);
  });
});

describe('who sees attachments', () => {
  it('when another org or another customer asks, then 404 for the list, the download and the upload', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const a = expectStatus(await attach(customer, id, [file(PNG, 'a.png', 'image/png')]), 201).body;
    const orgB = await t.user('admin');
    const neighbour = await t.user('user', customer.orgId);
    for (const who of [orgB, neighbour]) {
      expectProblem(await as(t, who).get(`/api/tickets/${id}/attachments/`), 404, 'TICKET_NOT_FOUND');
      const got = await download(t, who, a.url);
      expect({ status: got.status, code: got.body?.code }).toEqual({ status: 404, code: 'TICKET_NOT_FOUND' });
      expectProblem(await attach(who, id, [file(PNG, 'b.png', 'image/png')]), 404, 'TICKET_NOT_FOUND');
    }
    const otherTicket = await openTicket(customer);
    const wrongTicket = await download(t, customer, `/api/tickets/${otherTicket}/attachments/${a.id}/`);
    expect(wrongTicket.status).toBe(404);
  });
});

describe('body limits outside the upload route', () => {
  const JSON_LIMIT = 64 * 1024;

  /** A multipart body of `chunks` × 16 KiB, handed out only as it is read; `pulled` counts what was. */
  function lazyForm(chunks: number) {
    const { body, contentType } = multipart([
      file(Buffer.alloc(chunks * 16 * 1024, 'x'), 'big.txt', 'text/plain'),
    ]);
    const read = { pulled: 0 };
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const at = read.pulled * 16 * 1024;
          read.pulled++;
          if (at >= body.length) controller.close();
          else controller.enqueue(body.subarray(at, at + 16 * 1024));
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, contentType, length: body.length, read };
  }

  it('when a multipart body larger than the JSON limit goes to a JSON route, then 413, read no further than the limit', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    for (const path of ['/api/tickets/', `/api/tickets/${id}/comments/`, `/api/tickets/${id}/status/`]) {
      const declared = multipart([file(Buffer.alloc(2 * JSON_LIMIT, 'x'), 'big.txt', 'text/plain')]);
      const res = await t.app.request(path, {
        method: 'POST',
        body: declared.body,
        headers: {
          authorization: `Bearer ${customer.token}`,
          'content-type': declared.contentType,
          'content-length': String(declared.body.length),
        },
      });
      expect({ path, status: res.status }).toEqual({ path, status: 413 });

      // Streamed without a length, and with an Idempotency-Key, which must not buffer it either.
      const chunked = lazyForm(64);
      const streamed = await t.app.request(path, {
        method: 'POST',
        body: chunked.stream,
        duplex: 'half',
        headers: {
          authorization: `Bearer ${customer.token}`,
          'content-type': chunked.contentType,
          'idempotency-key': `big-${path}`,
        },
      } as RequestInit);
      expect({ path, status: streamed.status }).toEqual({ path, status: 413 });
      expect(streamed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(chunked.read.pulled * 16 * 1024).toBeLessThanOrEqual(JSON_LIMIT + 2 * 16 * 1024);
    }
    const tickets = expectStatus(await as(t, customer).get('/api/tickets/'), 200).body;
    expect(tickets.results).toHaveLength(1);
  });

  it('when a body that is not multipart goes to the upload route, then the JSON limit still holds', async () => {
    const { customer } = await org();
    const id = await openTicket(customer);
    const reply = await as(t, customer).post(`/api/tickets/${id}/attachments/`, {
      file: 'x'.repeat(2 * JSON_LIMIT),
    });
    expect(reply.status).toBe(413);
  });
});

describe('OpenAPI', () => {
  it('describes the upload as a multipart form and the download as binary', async () => {
    const res = await t.app.request('/openapi.json');
    // biome-ignore lint/suspicious/noExplicitAny: the spec is asserted path by path
    const doc: any = await res.json();
    const path = doc.paths['/api/tickets/{id}/attachments/'];
    expect(Object.keys(path.post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(path.post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(
      doc.paths['/api/tickets/{id}/attachments/{attachmentId}/'].get.responses['200'].content,
    ).toHaveProperty('application/octet-stream');
    expect(
      doc.paths['/api/tickets/{id}/comments/'].post.requestBody.content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/CreateCommentRequest',
    });
  });
});
