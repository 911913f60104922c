import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { ValidationError } from '@helpdesk/kit';
import { AttachmentTooLargeError } from '../domain/attachment.ts';
import type { IncomingFile } from '../use-cases/upload-attachment.ts';

/** Room for the boundaries, part headers and the few small fields around the file. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;

const FIELDS = new Set(['comment_id']);

const invalid = (path: string, message: string) => new ValidationError([{ path, message }]);

export interface UploadForm {
  /** The fields sent before the file. */
  fields: Map<string, string>;
  /** Streams as it arrives; ends only once the whole form has been read and found well-formed. */
  file: IncomingFile;
  /** Stops reading the request: after a refusal the rest is not worth parsing. */
  discard(): void;
}

/**
 * Reads a multipart/form-data request up to its `file` part, without buffering the file: the part
 * streams on to the caller. As in S3's POST uploads the file must come last, so that everything
 * needed to decide about it (`comment_id`) is known before its first byte is stored; a field or a
 * second file after it fails the upload. A declared length over the limit is refused before a
 * byte is read; the store counts the bytes of a body that declares none.
 */
export async function readUploadForm(req: Request, maxFileBytes: number): Promise<UploadForm> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw invalid('(body)', 'send the file as multipart/form-data, in a part named `file`');
  }
  const length = Number(req.headers.get('content-length') ?? Number.NaN);
  if (length > maxFileBytes + FORM_OVERHEAD_BYTES)
    throw new AttachmentTooLargeError(maxFileBytes, { unread: true });
  if (!req.body) throw invalid('file', 'the form has no `file` part');

  let parser: ReturnType<typeof Busboy>;
  try {
    parser = Busboy({
      headers: { 'content-type': type },
      limits: {
        fieldNameSize: 100,
        fieldSize: 1024,
        fields: FIELDS.size,
        files: 1,
        parts: FIELDS.size + 1,
        headerPairs: 20,
        // One byte over the limit is enough for the store to refuse the file.
        fileSize: maxFileBytes + 1,
      },
    });
  } catch (err) {
    throw invalid('(body)', `not a well-formed form: ${(err as Error).message}`);
  }
  const source = Readable.fromWeb(req.body as WebReadableStream<Uint8Array>);
  const fields = new Map<string, string>();
  let file: BusboyFileStream | undefined;
  let settle: ((err?: Error) => void) | undefined;
  const formRead = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  formRead.catch(() => {}); // observed through the file's content, or not at all after a refusal
  // What is left of a refused request is the HTTP server's to drain (bounded) or cut off.
  const discard = () => {
    source.unpipe(parser);
  };

  return new Promise<UploadForm>((resolve, reject) => {
    const fail = (err: Error) => {
      settle?.(err);
      if (file && !file.readableEnded) file.destroy(err);
      reject(err);
      discard();
    };
    parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (file) return fail(invalid(name, 'fields must come before the file'));
      if (!FIELDS.has(name) || nameTruncated) return fail(invalid(name, 'is not a field of this form'));
      if (valueTruncated) return fail(invalid(name, 'is too long'));
      fields.set(name, value);
    });
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      if (name !== 'file' || file) {
        stream.resume();
        return fail(
          invalid(name, name === 'file' ? 'one file per upload' : 'the file goes in a part named `file`'),
        );
      }
      file = stream;
      stream.on('error', () => {}); // reaches the reader of `content`, if there is one by then
      async function* content() {
        yield* stream as AsyncIterable<Uint8Array>;
        await formRead;
      }
      resolve({ fields, file: { filename, declaredType: mimeType, content: content() }, discard });
    });
    parser.on('partsLimit', () => fail(invalid('(body)', 'too many parts: `comment_id` and `file` only')));
    parser.on('fieldsLimit', () => fail(invalid('(body)', 'too many fields: `comment_id` only')));
    parser.on('filesLimit', () => fail(invalid('file', 'one file per upload')));
    parser.on('error', (err: Error) => fail(invalid('(body)', `not a well-formed form: ${err.message}`)));
    parser.on('finish', () => (file ? settle?.() : fail(invalid('file', 'the form has no `file` part'))));
    source.on('error', (err) => fail(err));
    source.pipe(parser);
  });
}
