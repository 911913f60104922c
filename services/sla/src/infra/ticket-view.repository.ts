import { applyIfNewer } from '@helpdesk/messaging';
import type { TicketView, TicketViews } from '../use-cases/ports.ts';
import type { TicketViewDoc, TicketViewModel } from './ticket-view.model.ts';

const toView = ({ _id, sequence: _s, ...rest }: TicketViewDoc): TicketView => ({ id: _id, ...rest });

/** `HD-000042` (any case), as the tickets service numbers tickets. */
const numberOf = (s: string): number | undefined => {
  const m = /^HD-(\d{1,12})$/i.exec(s);
  return m ? Number(m[1]) : undefined;
};

export function createTicketViews(Tickets: TicketViewModel): TicketViews {
  return {
    record(t, sequence) {
      const fields = {
        orgId: t.orgId,
        number: t.number,
        title: t.title,
        requesterId: t.requesterId,
        assigneeId: t.assigneeId,
        status: t.status,
        priority: t.priority,
        categoryId: t.categoryId,
        tags: t.tags,
        createdAt: new Date(t.createdAt),
      };
      return applyIfNewer(Tickets, { _id: t.id }, sequence, { $set: fields }, { upsert: true });
    },

    async find(orgId, idOrKey) {
      const number = numberOf(idOrKey);
      const filter = number === undefined ? { _id: idOrKey, orgId } : { number, orgId };
      const doc = await Tickets.findOne(filter).lean<TicketViewDoc>();
      return doc ? toView(doc) : null;
    },
  };
}
