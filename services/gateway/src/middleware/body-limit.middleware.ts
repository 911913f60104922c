import { AppError } from '@helpdesk/kit';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { GatewayEnv } from '../gateway-env.ts';

/**
 * Caps request bodies. A too-large `Content-Length` is refused before a byte is read, and a
 * body that declares its length is left untouched for the proxy to stream (Node's parser holds
 * the sender to that length). A chunked body goes through Hono's `bodyLimit`, which counts it as
 * it arrives, refuses it once it passes the cap and otherwise holds it (at most the cap) so it
 * can go on with a length.
 */
function capBody(maxBytes: number): MiddlewareHandler<GatewayEnv> {
  // The rest of the body is never read, so the connection cannot carry another request.
  const tooLarge = () => {
    throw new AppError('REQUEST_TOO_LARGE', 413, `The request body exceeds ${maxBytes} bytes.`, {
      headers: { connection: 'close' },
    });
  };
  const chunked = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const { transferEncoding, contentLength } = c.get('head');
    if (transferEncoding !== undefined) return chunked(c, next);
    if (contentLength !== undefined && Number(contentLength) > maxBytes) tooLarge();
    await next();
  };
}

/** `POST /api/tickets/{id}/attachments/`, with or without the trailing slash: the file upload. */
const ATTACHMENT_UPLOAD = /^\/api\/tickets\/[^/]+\/attachments\/?$/;

export const isAttachmentUpload = (method: string, path: string): boolean =>
  method === 'POST' && ATTACHMENT_UPLOAD.test(path);

/**
 * `maxBytes` for every body but a file upload's, which may be as large as `attachmentBytes` (the
 * tickets service's file limit and the form around it; the service checks the file itself).
 */
export function limitBody(maxBytes: number, attachmentBytes = maxBytes): MiddlewareHandler<GatewayEnv> {
  const general = capBody(maxBytes);
  const upload = capBody(Math.max(maxBytes, attachmentBytes));
  return (c, next) => (isAttachmentUpload(c.req.method, c.req.path) ? upload : general)(c, next);
}

export function hasBody(contentLength: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || (contentLength !== undefined && contentLength !== '0');
}
