/** Files on tickets and comments, kept in GridFS. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the attachments
export interface AttachmentStore {}
