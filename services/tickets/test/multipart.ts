import { randomBytes } from 'node:crypto';
import type { Reply, TestUser, Tickets } from './harness.ts';

export interface Part {
  name: string;
  value: string | Uint8Array;
  /** Makes the part a file. */
  filename?: string;
  type?: string;
}

/** A multipart/form-data body with the parts in the order given (the file last, or not, on purpose). */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----test${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = [`--${boundary}`, `Content-Disposition: ${disposition}`];
    if (p.type) head.push(`Content-Type: ${p.type}`);
    chunks.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const parse = (text: string) => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
};

/**
 * POSTs a form as `who`. `chunked` sends it as a stream without Content-Length, as a client that
 * does not know the size would.
 */
export async function upload(
  t: Tickets,
  who: TestUser,
  path: string,
  parts: Part[],
  opts: { chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const { body, contentType } = multipart(parts);
  const headers: Record<string, string> = {
    authorization: `Bearer ${who.token}`,
    'content-type': contentType,
    ...(opts.chunked ? {} : { 'content-length': String(body.length) }),
    ...opts.headers,
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < body.length; i += 16 * 1024) controller.enqueue(body.subarray(i, i + 16 * 1024));
      controller.close();
    },
  });
  const res = await t.app.request(path, {
    method: 'POST',
    headers,
    body: opts.chunked ? stream : body,
    ...(opts.chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, headers: res.headers, body: parse(await res.text()) };
}

/** GET of a file as `who`, with its bytes. */
export async function download(t: Tickets, who: TestUser, path: string): Promise<Reply & { bytes: Buffer }> {
  const res = await t.app.request(path, { headers: { authorization: `Bearer ${who.token}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, body: parse(bytes.toString('utf8')) };
}
