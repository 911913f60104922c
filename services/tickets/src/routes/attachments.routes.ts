import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { callerOf } from '../domain/access.ts';
import { downloadAttachment } from '../use-cases/download-attachment.ts';
import { listAttachments } from '../use-cases/list-attachments.ts';
import { uploadAttachment } from '../use-cases/upload-attachment.ts';
import {
  AttachmentDtoSchema,
  AttachmentPageSchema,
  CommentListQuerySchema,
  toAttachmentDto,
} from './comment.dto.ts';
import type { RouteDeps } from './deps.ts';
import { TicketParams } from './tickets.routes.ts';
import { readUploadForm } from './upload-form.ts';
import { ifMatchVersion } from './versioning.ts';

const tags = ['attachments'];

const AttachmentParams = TicketParams.extend({
  attachmentId: z.string().min(1).max(64).openapi({ description: 'The attachment id.' }),
});

const uploadRoute = createRoute({
  method: 'post',
  path: '/api/tickets/{id}/attachments/',
  tags,
  summary: 'Attach a file to a ticket or to one of its comments',
  description:
    'multipart/form-data with the file in `file` (the last part) and optionally `comment_id` before it; only its author or staff attach to a comment. Accepted, by content: PNG, JPEG, GIF, WebP, PDF, DOCX, XLSX, PPTX, ZIP, and UTF-8 text (txt, log, csv, json). A file whose content is not what its name or type claims is refused (415); one over the size limit too (413). The file is listed and served once the ticket records it (a history entry and `ticket.updated`).',
  security: bearer,
  request: {
    params: TicketParams,
    headers: z.object({
      'idempotency-key': z.string().max(255).optional().openapi({
        description:
          'Repeating the key with the same form replays the first answer; another form with it is 422. The form is hashed as it streams, never held in memory: a repeat while the first upload runs is 409 whatever its file, and an answer given before the form was read to its end (say a 404, a 413 on Content-Length or a 415 from the first bytes) is not kept, so a retry runs again.',
      }),
    }),
    body: {
      required: true,
      content: {
        // A plain schema, not zod: a zod one would have the whole form buffered to validate it.
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: {
              comment_id: { type: 'string', description: 'Attach to this comment of the ticket.' },
              file: { type: 'string', format: 'binary' },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: 'Stored', ...json(AttachmentDtoSchema) },
    ...problems(400, 401, 403, 404, 409, 412, 413, 415),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/attachments/',
  tags,
  summary: "A ticket's attachments",
  description:
    'Oldest first; customers do not see the files of internal notes. `limit` is clamped to 100; pass `next` back as `cursor`.',
  security: bearer,
  request: { params: TicketParams, query: CommentListQuerySchema },
  responses: {
    200: { description: 'A page of attachments', ...json(AttachmentPageSchema) },
    ...problems(400, 401, 404),
  },
});

const downloadRoute = createRoute({
  method: 'get',
  path: '/api/tickets/{id}/attachments/{attachmentId}/',
  tags,
  summary: 'Download an attachment',
  description: 'Always as a download (`Content-Disposition: attachment`) with its sniffed type.',
  security: bearer,
  request: { params: AttachmentParams },
  responses: {
    200: {
      description: 'The file',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    ...problems(401, 404),
  },
});

/** `attachment` with an ASCII fallback name and the real one in RFC 8187 form. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function attachmentsRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const uc = deps.tickets;
  const maxBytes = uc.settings.attachmentMaxBytes;

  for (const route of bothSlashes(uploadRoute)) {
    app.openapi({ ...route, middleware: [auth, deps.idempotency] }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const form = await readUploadForm(c.req.raw, maxBytes);
      try {
        const commentId = form.fields.get('comment_id') ?? null;
        const a = await uploadAttachment(
          uc,
          caller,
          c.req.valid('param').id,
          { commentId: commentId === '' ? null : commentId, file: form.file },
          { ifMatch: ifMatchVersion(c), correlationId: c.get('requestId') },
        );
        c.header('location', `/api/tickets/${a.ticketId}/attachments/${a.id}/`);
        return c.json(toAttachmentDto(a), 201);
      } finally {
        form.discard();
      }
    });
  }

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const page = await listAttachments(uc, caller, c.req.valid('param').id, c.req.valid('query'));
      return c.json({ results: page.results.map(toAttachmentDto), next: page.next }, 200);
    });
  }

  for (const route of bothSlashes(downloadRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const caller = callerOf(c.get('principal'));
      const { id, attachmentId } = c.req.valid('param');
      const { attachment, content } = await downloadAttachment(uc, caller, id, attachmentId);
      return c.body(content, 200, {
        'content-type': attachment.contentType,
        'content-length': String(attachment.size),
        'content-disposition': contentDisposition(attachment.filename),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
        'content-security-policy': "default-src 'none'; sandbox",
      });
    });
  }
}
