import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type Connection, mongo } from 'mongoose';
import {
  type Attachment,
  type AttachmentMeta,
  type AttachmentStore,
  AttachmentTooLargeError,
  emptyAttachment,
} from '../domain/attachment.ts';

const BUCKET = 'attachments';

interface FileMetadata extends AttachmentMeta {
  size: number;
  sha256: string;
}

interface FileDoc {
  _id: string;
  length: number;
  uploadDate: Date;
  filename: string;
  metadata: FileMetadata;
}

// GridFS takes any `_id`; the driver's types only name ObjectId.
const fileId = (id: string) => id as unknown as mongo.ObjectId;

const toAttachment = ({ _id, uploadDate, metadata: m }: FileDoc): Attachment => ({
  id: _id,
  orgId: m.orgId,
  ticketId: m.ticketId,
  commentId: m.commentId,
  internal: m.internal,
  uploaderId: m.uploaderId,
  filename: m.filename,
  contentType: m.contentType,
  size: m.size,
  sha256: m.sha256,
  createdAt: uploadDate,
});

/**
 * Attachments in the `attachments` GridFS bucket of the tickets database, with the org, ticket and
 * comment in each file's metadata; every read filters by org and ticket. Ids are time-ordered
 * (UUIDv7), so `_id` order is upload order. The bucket may hold files no ticket records (an upload
 * that stopped between its two writes): lists take the recorded ids, and downloads are checked
 * against them by the use case, so such a file is never shown.
 */
export async function createAttachmentStore(
  conn: Connection,
  opts: { maxBytes: number },
): Promise<AttachmentStore> {
  const db = conn.db;
  if (!db) throw new Error('attachment store: not connected');
  const bucket = new mongo.GridFSBucket(db, { bucketName: BUCKET });
  const files = db.collection<FileDoc>(`${BUCKET}.files`);
  await files.createIndex({ 'metadata.orgId': 1, 'metadata.ticketId': 1, _id: 1 }, { name: 'org_ticket' });

  const remove = async (id: string) => {
    try {
      await bucket.delete(fileId(id));
    } catch (err) {
      // Not found: the upload stopped before its files document was written; its chunks are gone too.
      if (!(err instanceof mongo.MongoRuntimeError && /File not found/.test(err.message))) throw err;
    }
  };

  return {
    async save(id, meta, content) {
      const metadata: FileMetadata = { ...meta, size: 0, sha256: '' };
      const hash = createHash('sha256');
      async function* counted() {
        for await (const chunk of content) {
          metadata.size += chunk.byteLength;
          if (metadata.size > opts.maxBytes) throw new AttachmentTooLargeError(opts.maxBytes);
          hash.update(chunk);
          yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
        if (metadata.size === 0) throw emptyAttachment();
        // GridFS writes the files document from this very object once the stream ends, so the
        // file appears only when whole, already with its size and hash.
        metadata.sha256 = hash.digest('hex');
      }
      const upload = bucket.openUploadStreamWithId(fileId(id), meta.filename, { metadata });
      upload.on('error', () => {}); // each write's callback reports it
      const write = (chunk: Buffer) =>
        new Promise<void>((resolve, reject) => upload.write(chunk, (err) => (err ? reject(err) : resolve())));
      try {
        // One write at a time, each waited for: when the content fails, no chunk is still on
        // its way to the database to land after the clean-up.
        for await (const chunk of counted()) await write(chunk);
        upload.end();
        await finished(upload);
      } catch (err) {
        upload.destroy();
        await remove(id);
        throw err;
      }
      return toAttachment({
        _id: id,
        length: metadata.size,
        uploadDate: upload.gridFSFile?.uploadDate ?? new Date(),
        filename: meta.filename,
        metadata,
      });
    },

    async find(orgId, ticketId, id) {
      const doc = await files.findOne({ _id: id, 'metadata.orgId': orgId, 'metadata.ticketId': ticketId });
      return doc ? toAttachment(doc) : null;
    },

    async list(orgId, ticketId, q) {
      if (q.recorded.length === 0) return { results: [], next: null };
      const ids: Record<string, unknown> = { $in: q.recorded };
      if (q.after !== undefined) ids.$gt = q.after;
      const filter: Record<string, unknown> = {
        _id: ids,
        'metadata.orgId': orgId,
        'metadata.ticketId': ticketId,
      };
      if (!q.includeInternal) filter['metadata.internal'] = false;
      if (q.commentIds) filter['metadata.commentId'] = { $in: q.commentIds };
      const docs = await files
        .find(filter)
        .sort({ _id: 1 })
        .limit(q.limit + 1)
        .toArray();
      const page = docs.slice(0, q.limit).map(toAttachment);
      return { results: page, next: docs.length > q.limit ? (page.at(-1)?.id ?? null) : null };
    },

    open(id) {
      return Readable.toWeb(bucket.openDownloadStream(fileId(id))) as ReadableStream<Uint8Array>;
    },

    delete: remove,
  };
}
