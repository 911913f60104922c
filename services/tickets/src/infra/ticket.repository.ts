import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { type OutboxEntry, outboxEntries, withOutbox } from '@helpdesk/messaging';
import type { mongo } from 'mongoose';
import type { TicketListQuery, TicketRepository } from '../domain/ports.ts';
import { ACTIVE_STATUSES } from '../domain/status-machine.ts';
import { type HistoryEntry, parseTicketKey, type Ticket } from '../domain/ticket.ts';
import type { CounterModel, TicketDoc, TicketModel } from './ticket.model.ts';

const toTicket = ({
  _id,
  comments: _c,
  history: _h,
  escalations: _e,
  outbox: _o,
  ...rest
}: TicketDoc): Ticket => ({
  id: _id,
  ...rest,
});

/**
 * The document `Tickets.create` would store, field for field and in its order, built by hand:
 * creating a ticket is the hot path, and mongoose's document hydration and validation were a
 * good part of its CPU (docs/tickets.md, Performance). The schema's defaults are spelled out
 * here, so a new schema field needs a line here too (ticket.repository.int.test.ts compares
 * both ways).
 */
function newTicketDoc(t: Ticket, history: HistoryEntry[], outbox: OutboxEntry[]): Required<TicketDoc> {
  return {
    _id: t.id,
    orgId: t.orgId,
    number: t.number,
    title: t.title,
    description: t.description ?? '',
    categoryId: t.categoryId ?? null,
    priority: t.priority,
    status: t.status,
    requesterId: t.requesterId,
    assigneeId: t.assigneeId ?? null,
    tags: [...(t.tags ?? [])],
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    firstResponseAt: t.firstResponseAt ?? null,
    resolvedAt: t.resolvedAt ?? null,
    closedAt: t.closedAt ?? null,
    escalationLevel: t.escalationLevel ?? 0,
    reopenCount: t.reopenCount ?? 0,
    commentCount: t.commentCount ?? 0,
    publicCommentCount: t.publicCommentCount ?? 0,
    version: t.version,
    publicVersion: t.publicVersion,
    publicUpdatedAt: t.publicUpdatedAt,
    comments: [],
    history: history.map((h) => ({
      at: h.at,
      actorId: h.actorId,
      actorRole: h.actorRole,
      field: h.field,
      old: h.old ?? null,
      new: h.new ?? null,
      internal: h.internal ?? false,
    })),
    escalations: [],
    outbox,
  };
}

const SORT_FIELDS = { created: 'createdAt', updated: 'updatedAt', number: 'number' } as const;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function listClauses(q: TicketListQuery): Record<string, unknown>[] {
  const f: Record<string, unknown>[] = [q.scope];
  if (q.status?.length) f.push({ status: { $in: q.status } });
  if (q.priority?.length) f.push({ priority: { $in: q.priority } });
  if (q.assigneeId !== undefined) f.push({ assigneeId: q.assigneeId });
  if (q.categoryId !== undefined) f.push({ categoryId: q.categoryId });
  if (q.requesterId !== undefined) f.push({ requesterId: q.requesterId });
  const range = (from?: Date, to?: Date) => ({ ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) });
  if (q.createdFrom || q.createdTo) f.push({ createdAt: range(q.createdFrom, q.createdTo) });
  if (q.updatedFrom || q.updatedTo) {
    f.push({ [q.customerView ? 'publicUpdatedAt' : 'updatedAt']: range(q.updatedFrom, q.updatedTo) });
  }
  if (q.q) {
    const re = new RegExp(escapeRegex(q.q), 'i');
    f.push({ $or: [{ title: re }, { description: re }] });
  }
  return f;
}

/** The page after the cursor's item, in the sort's order; `_id` breaks ties. */
function afterCursor(cursor: string, field: string, dir: 1 | -1): Record<string, unknown> {
  const c = decodeCursor(cursor);
  const value = field === 'number' ? Number(c.v) : new Date(String(c.v));
  const bad = typeof value === 'number' ? !Number.isFinite(value) : Number.isNaN(value.getTime());
  if (typeof c.id !== 'string' || bad) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  const op = dir === 1 ? '$gt' : '$lt';
  const bound = dir === 1 ? '$gte' : '$lte';
  // The outer bound makes the page one index range; the `$or` only breaks ties on `_id`.
  return {
    [field]: { [bound]: value },
    $or: [{ [field]: { [op]: value } }, { [field]: value, _id: { [op]: c.id } }],
  };
}

export function createTicketRepository(Tickets: TicketModel, Counters: CounterModel): TicketRepository {
  return {
    async nextNumber(orgId) {
      const c = await Counters.findOneAndUpdate(
        { _id: orgId },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      if (!c) throw new Error('ticket counter: no document after upsert');
      return c.seq;
    },

    async insert(t, history, events) {
      const outbox = outboxEntries(...events);
      // The driver's own collection: its type does not know our string `_id`s.
      const raw = Tickets.collection as unknown as mongo.Collection<TicketDoc>;
      await raw.insertOne(newTicketDoc(t, history, outbox));
      return { outbox };
    },

    async find(orgId, idOrKey) {
      const number = parseTicketKey(idOrKey);
      const filter = number === undefined ? { _id: idOrKey, orgId } : { number, orgId };
      const doc = await Tickets.findOne(filter).lean<TicketDoc>();
      return doc ? toTicket(doc) : null;
    },

    async apply(read, change) {
      const version = read.version + change.events.length;
      const filter: Record<string, unknown> = { _id: read.id, orgId: read.orgId, version: read.version };
      if (change.escalation) filter['escalations.key'] = { $ne: change.escalation.key };
      const push: Record<string, unknown> = {};
      if (change.history.length) push.history = { $each: change.history };
      if (change.comment) push.comments = change.comment;
      if (change.escalation) push.escalations = change.escalation;
      const update = withOutbox<TicketDoc>(
        { $set: { ...change.set, version }, ...(Object.keys(push).length ? { $push: push } : {}) },
        ...change.events,
      );
      // The outbox comes back for the relay, which then publishes without reading the ticket; the
      // thread, history and escalations stay out (not selected by the schema), as nobody needs them.
      const doc = await Tickets.findOneAndUpdate(filter, update, { returnDocument: 'after' })
        .select('+outbox')
        .lean<TicketDoc>();
      return doc ? { ticket: toTicket(doc), outbox: doc.outbox ?? [] } : null;
    },

    async list(q) {
      const sorted = SORT_FIELDS[q.sort.replace('-', '') as keyof typeof SORT_FIELDS];
      const field = q.customerView && sorted === 'updatedAt' ? 'publicUpdatedAt' : sorted;
      const dir: 1 | -1 = q.sort.startsWith('-') ? -1 : 1;
      const clauses = listClauses(q);
      if (q.cursor) clauses.push(afterCursor(q.cursor, field, dir));
      const filter = clauses.length === 1 ? (clauses[0] ?? {}) : { $and: clauses };
      const docs = await Tickets.find(filter)
        .sort({ [field]: dir, _id: dir })
        .limit(q.limit + 1)
        .lean<TicketDoc[]>();
      const page = docs.slice(0, q.limit).map(toTicket);
      const last = page.at(-1);
      const next =
        docs.length > q.limit && last
          ? encodeCursor({
              v: field === 'number' ? last.number : (last[field] as Date).toISOString(),
              id: last.id,
            })
          : null;
      return { results: page, next };
    },

    async comments(orgId, id) {
      const doc = await Tickets.findOne({ _id: id, orgId }).select({ comments: 1 }).lean<TicketDoc>();
      return doc?.comments ?? [];
    },

    async history(orgId, id) {
      const doc = await Tickets.findOne({ _id: id, orgId }).select({ history: 1 }).lean<TicketDoc>();
      return doc?.history ?? [];
    },

    async activeLoad(orgId, assigneeIds) {
      const rows = await Tickets.aggregate<{ _id: string; n: number }>([
        { $match: { orgId, assigneeId: { $in: assigneeIds }, status: { $in: [...ACTIVE_STATUSES] } } },
        { $group: { _id: '$assigneeId', n: { $sum: 1 } } },
      ]);
      const load = new Map(assigneeIds.map((id) => [id, 0]));
      for (const r of rows) load.set(r._id, r.n);
      return load;
    },
  };
}
