import type { Connection } from 'mongoose';
import type { AttachmentStore } from '../domain/attachment.ts';

export async function createAttachmentStore(
  _conn: Connection,
  _opts: { maxBytes: number },
): Promise<AttachmentStore> {
  return {};
}
