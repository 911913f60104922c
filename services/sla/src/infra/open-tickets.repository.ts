import type { TicketStatus } from '@helpdesk/contracts';
import type { OpenTickets } from '../use-cases/config-ports.ts';
import type { TicketViewDoc, TicketViewModel } from './ticket-view.model.ts';

/** Closed and cancelled tickets' workflows have ended: nothing to retarget. */
const ENDED: TicketStatus[] = ['closed', 'cancelled'];

export function createOpenTickets(Tickets: TicketViewModel): OpenTickets {
  return {
    async openIds(orgId) {
      const docs = await Tickets.find({ orgId, status: { $nin: ENDED } }, { _id: 1 }).lean<
        Pick<TicketViewDoc, '_id'>[]
      >();
      return docs.map((d) => d._id);
    },

    async fields(orgId, ticketId) {
      const t = await Tickets.findOne({ _id: ticketId, orgId }).lean<TicketViewDoc>();
      if (!t) return null;
      return {
        priority: t.priority,
        category: t.categoryId,
        categoryId: t.categoryId,
        title: t.title,
        tags: t.tags,
        status: t.status,
        requester: t.requesterId,
        assignee: t.assigneeId,
      };
    },
  };
}
