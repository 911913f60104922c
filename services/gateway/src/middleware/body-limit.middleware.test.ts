import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../test/fakes.ts';
import { isAttachmentUpload } from './body-limit.middleware.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let token: string;
const LIMIT = 64 * 1024;
const UPLOAD_LIMIT = 4 * LIMIT;

beforeAll(async () => {
  stack = await startStack({ limits: { bodyBytes: LIMIT, attachmentBodyBytes: UPLOAD_LIMIT } });
  token = await stack.key.sign();
});
afterAll(() => stack.close());

async function* chunks(total: number, size = 8 * 1024) {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent), 97);
}

const send = (method: 'POST' | 'PUT', path: string, body: Buffer | AsyncIterable<Buffer>) =>
  request(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: Buffer.isBuffer(body) ? body : Readable.from(body),
  });
const post = (body: Buffer | AsyncIterable<Buffer>) => send('POST', '/api/tickets/', body);
const upload = (body: Buffer | AsyncIterable<Buffer>, path = '/api/tickets/HD-000001/attachments/') =>
  send('POST', path, body);

describe('request body cap', () => {
  it('refuses a Content-Length over the cap with 413 before the service sees it', async () => {
    const before = stack.fakes.tickets.seen.length;
    const res = await post(Buffer.alloc(LIMIT + 1, 97));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await res.body.json()).toMatchObject({ status: 413, code: 'REQUEST_TOO_LARGE' });
    expect(stack.fakes.tickets.seen.length).toBe(before);
  });

  it('refuses a chunked body once it passes the cap', async () => {
    const before = stack.fakes.tickets.seen.length;
    const res = await post(chunks(LIMIT * 4));
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(await res.body.json()).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    expect(stack.fakes.tickets.seen.length).toBe(before);
  });

  it('forwards bodies up to the cap whole, chunked ones with their length', async () => {
    const sized = await post(Buffer.alloc(LIMIT, 97));
    expect(sized.statusCode).toBe(200);
    expect(await sized.body.json()).toMatchObject({ bytes: LIMIT });
    const chunked = await post(chunks(LIMIT));
    expect(chunked.statusCode).toBe(200);
    expect(await chunked.body.json()).toMatchObject({ bytes: LIMIT });
    const seen = stack.fakes.tickets.seen.at(-1);
    expect(seen?.headers['content-length']).toBe(String(LIMIT));
    expect(seen?.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('attachment upload cap', () => {
  it('forwards an upload over the general cap, declared or chunked, up to its own cap', async () => {
    const sized = await upload(Buffer.alloc(UPLOAD_LIMIT, 97));
    expect(sized.statusCode).toBe(200);
    expect(await sized.body.json()).toMatchObject({ bytes: UPLOAD_LIMIT });
    const chunked = await upload(chunks(2 * LIMIT), '/api/tickets/t-1/attachments');
    expect(chunked.statusCode).toBe(200);
    expect(await chunked.body.json()).toMatchObject({
      bytes: 2 * LIMIT,
      url: '/api/tickets/t-1/attachments',
    });
  });

  it('refuses an upload over its own cap with 413, declared or chunked, before the service sees it', async () => {
    const before = stack.fakes.tickets.seen.length;
    const sized = await upload(Buffer.alloc(UPLOAD_LIMIT + 1, 97));
    expect(sized.statusCode).toBe(413);
    expect(await sized.body.json()).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    const chunked = await upload(chunks(UPLOAD_LIMIT * 2));
    expect(chunked.statusCode).toBe(413);
    await chunked.body.dump();
    expect(stack.fakes.tickets.seen.length).toBe(before);
  });

  it('keeps the general cap for every other route, also under the attachments path', async () => {
    const before = stack.fakes.tickets.seen.length;
    const body = Buffer.alloc(LIMIT + 1, 97);
    for (const res of [
      await upload(body, '/api/tickets/HD-000001/attachments/a-1/'),
      await upload(body, '/api/tickets/HD-000001/comments/'),
      await send('PUT', '/api/tickets/HD-000001/attachments/', body),
    ]) {
      expect(res.statusCode).toBe(413);
      await res.body.dump();
    }
    expect(stack.fakes.tickets.seen.length).toBe(before);
  });
});

describe('isAttachmentUpload', () => {
  it("is a POST to a ticket's attachments collection, with or without the trailing slash, and nothing else", () => {
    expect(isAttachmentUpload('POST', '/api/tickets/HD-000042/attachments/')).toBe(true);
    expect(isAttachmentUpload('POST', '/api/tickets/0190a1b2/attachments')).toBe(true);
    expect(isAttachmentUpload('GET', '/api/tickets/HD-000042/attachments/')).toBe(false);
    expect(isAttachmentUpload('POST', '/api/tickets/HD-000042/attachments/x/')).toBe(false);
    expect(isAttachmentUpload('POST', '/api/tickets/a/b/attachments/')).toBe(false);
    expect(isAttachmentUpload('POST', '/api/tickets//attachments/')).toBe(false);
    expect(isAttachmentUpload('POST', '/api/helpdesk/tickets/1/attachments/')).toBe(false);
  });
});
