import { PageQuerySchema, pageSchema, RoleSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import type { Attachment } from '../domain/attachment.ts';
import { COMMENT_MAX_LENGTH } from '../domain/comment.ts';
import type { CommentWithFiles } from '../use-cases/list-comments.ts';

/*
 * snake_case like the tickets. System A and System B clients send the text as `comment`; our own
 * name is `body`; either is accepted, not both.
 */

const iso = z.iso.datetime({ offset: true });
const Id = z.string().min(1).max(64);

export const AttachmentDtoSchema = z
  .object({
    id: z.string(),
    ticket_id: z.string(),
    comment_id: z.string().nullable(),
    filename: z.string(),
    content_type: z.string().describe('Sniffed from the content, not taken from the upload.'),
    size: z.number().int().describe('Bytes.'),
    sha256: z.string().describe('Hex SHA-256 of the content.'),
    is_internal: z.boolean().describe('On an internal note: staff only, like the note.'),
    uploaded_by: z.string(),
    created_at: iso,
    url: z.string().describe('Where to download it.'),
  })
  .openapi('Attachment');
export type AttachmentDto = z.infer<typeof AttachmentDtoSchema>;

export const toAttachmentDto = (a: Attachment): AttachmentDto => ({
  id: a.id,
  ticket_id: a.ticketId,
  comment_id: a.commentId,
  filename: a.filename,
  content_type: a.contentType,
  size: a.size,
  sha256: a.sha256,
  is_internal: a.internal,
  uploaded_by: a.uploaderId,
  created_at: a.createdAt.toISOString(),
  url: `/api/tickets/${a.ticketId}/attachments/${a.id}/`,
});

export const CommentDtoSchema = z
  .object({
    id: z.string(),
    ticket_id: z.string(),
    parent_id: z.string().nullable().describe('The comment this one replies to.'),
    author: z.string().describe("The author's user id."),
    author_role: RoleSchema,
    body: z.string(),
    is_internal: z.boolean().describe('An internal note: staff only.'),
    created_at: iso,
    attachments: z.array(AttachmentDtoSchema),
  })
  .openapi('Comment');
export type CommentDto = z.infer<typeof CommentDtoSchema>;

export const toCommentDto = (ticketId: string, c: CommentWithFiles): CommentDto => ({
  id: c.id,
  ticket_id: ticketId,
  parent_id: c.parentId,
  author: c.authorId,
  author_role: c.authorRole,
  body: c.body,
  is_internal: c.internal,
  created_at: c.createdAt.toISOString(),
  attachments: c.attachments.map(toAttachmentDto),
});

const Text = z
  .string()
  .min(1)
  .max(COMMENT_MAX_LENGTH)
  .refine((s) => s.trim().length > 0, 'must not be blank');

export const CreateCommentRequestSchema = z
  .strictObject({
    body: Text.optional(),
    comment: Text.optional().describe('The same as `body`, as System A and System B send it.'),
    is_internal: z
      .boolean()
      .default(false)
      .describe('An internal note (staff only), never shown to customers.'),
    parent_id: Id.nullable()
      .optional()
      .describe('Reply to this comment of the same ticket; a reply to an internal note must be one too.'),
  })
  .refine((b) => (b.body === undefined) !== (b.comment === undefined), {
    path: ['body'],
    message: 'give the text as `body` or as `comment`, exactly one of them',
  })
  .openapi('CreateCommentRequest');

export const CommentListQuerySchema = PageQuerySchema;
export const CommentPageSchema = pageSchema(CommentDtoSchema).openapi('CommentPage');
export const AttachmentPageSchema = pageSchema(AttachmentDtoSchema).openapi('AttachmentPage');
