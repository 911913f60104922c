import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../test/fakes.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let token: string;
const LIMIT = 64 * 1024;

beforeAll(async () => {
  stack = await startStack({ limits: { bodyBytes: LIMIT } });
  token = await stack.key.sign();
});
afterAll(() => stack.close());

async function* chunks(total: number, size = 8 * 1024) {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent), 97);
}

const post = (body: Buffer | AsyncIterable<Buffer>) =>
  request(`${stack.url}/api/tickets/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: Buffer.isBuffer(body) ? body : Readable.from(body),
  });

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
