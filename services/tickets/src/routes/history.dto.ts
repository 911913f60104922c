import { pageSchema } from '@helpdesk/contracts';
import { z } from '@hono/zod-openapi';
import { type HistoryEntry, ticketKey } from '../domain/ticket.ts';

export const HistoryEntryDtoSchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    field: z
      .string()
      .describe('The ticket field as the API names it (`status`, `assigned_to`, ...), or `created`.'),
    old: z.unknown(),
    new: z.unknown(),
    actor: z.string().describe('The user who made the change, or the system component.'),
    actor_role: z.enum(['user', 'agent', 'admin', 'system']),
    internal: z.boolean().describe('Caused by an internal note; only staff see these entries.'),
  })
  .openapi('TicketHistoryEntry');
export type HistoryEntryDto = z.infer<typeof HistoryEntryDtoSchema>;

export const HistoryPageSchema = pageSchema(HistoryEntryDtoSchema).openapi('TicketHistoryPage');

/** Ticket fields whose API name is not simply the snake_case of the stored one (see ticket.dto.ts). */
const API_NAMES: Record<string, string> = {
  assigneeId: 'assigned_to',
  categoryId: 'category',
  requesterId: 'created_by',
};

const apiName = (field: string) => API_NAMES[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const apiValue = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null));

export function toHistoryEntryDto(h: HistoryEntry): HistoryEntryDto {
  const created = h.field === 'created';
  return {
    at: h.at.toISOString(),
    field: apiName(h.field),
    old: apiValue(h.old),
    new: created && typeof h.new === 'number' ? ticketKey(h.new) : apiValue(h.new),
    actor: h.actorId,
    actor_role: h.actorRole,
    internal: h.internal,
  };
}
