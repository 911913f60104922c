import type { EscalationAction } from '@helpdesk/contracts';
import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { isDuplicateKeyError, outboxEntries } from '@helpdesk/messaging';
import type { EffectLog, Escalation } from '../use-cases/ports.ts';
import type { EffectDoc, EffectModel, StreamModel } from './effect.model.ts';

/**
 * Effects and the escalation log.
 *
 * The events of one workflow form a stream of their own (`aggregateId` = workflow id) whose
 * `sequence` comes from a counter per workflow, taken just before the insert. Without
 * transactions the two writes are not atomic, so a crash or a lost race between them leaves a gap
 * in the numbers; gaps are harmless, since consumers only need later effects to carry higher
 * numbers. That holds because a workflow records its effects one activity at a time, in order.
 * Once inserted, an effect's event (and its sequence and id) never changes: a repeat of the same
 * key fails on `_id` and publishes nothing.
 */
export function createEffectLog(Effects: EffectModel, Streams: StreamModel): EffectLog {
  return {
    async record({ orgId, ticketId, workflowId, effect }, event) {
      // The common repeat (a retried activity) costs a read, not a counter number.
      if (await Effects.exists({ _id: effect.key })) return 'duplicate';
      const stream = await Streams.findOneAndUpdate(
        { _id: workflowId },
        { $inc: { sequence: 1 } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      const sequence = stream?.sequence ?? 1;
      try {
        await Effects.create({
          _id: effect.key,
          orgId,
          ticketId,
          workflowId,
          kind: effect.kind,
          clock: effect.clock,
          cycle: effect.cycle,
          at: new Date(effect.at),
          level: effect.kind === 'escalated' ? effect.level : null,
          effect,
          sequence,
          recordedAt: new Date(),
          outbox: outboxEntries(event(sequence)),
        });
        return 'recorded';
      } catch (err) {
        if (isDuplicateKeyError(err)) return 'duplicate';
        throw err;
      }
    },

    async escalations(q) {
      const filter: Record<string, unknown> = { orgId: q.orgId, kind: 'escalated' };
      if (q.ticketId) filter.ticketId = q.ticketId;
      const at: Record<string, Date> = {};
      if (q.from) at.$gte = q.from;
      if (q.to) at.$lt = q.to;
      const clauses: Record<string, unknown>[] = [filter];
      if (Object.keys(at).length > 0) clauses.push({ at });
      if (q.cursor) clauses.push(olderThan(q.cursor));
      const docs = await Effects.find(clauses.length === 1 ? filter : { $and: clauses })
        .sort({ at: -1, _id: -1 })
        .limit(q.limit + 1)
        .lean<EffectDoc[]>();
      const page = docs.slice(0, q.limit);
      const last = page.at(-1);
      const next =
        docs.length > q.limit && last ? encodeCursor({ at: last.at.toISOString(), id: last._id }) : null;
      return { results: page.map(toEscalation), next };
    },
  };
}

/** After the cursor's entry in newest-first order; the key breaks ties between equal instants. */
function olderThan(cursor: string): Record<string, unknown> {
  const { at, id } = decodeCursor(cursor);
  const when = typeof at === 'string' ? new Date(at) : null;
  if (!when || Number.isNaN(when.getTime()) || typeof id !== 'string') {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return { $or: [{ at: { $lt: when } }, { at: when, _id: { $lt: id } }] };
}

function toEscalation(d: EffectDoc): Escalation {
  const e = d.effect;
  const escalated = e.kind === 'escalated' ? e : null;
  return {
    key: d._id,
    orgId: d.orgId,
    ticketId: d.ticketId,
    level: d.level ?? 0,
    clock: d.clock,
    reason: escalated?.reason ?? '',
    actions: (escalated?.actions ?? []) as EscalationAction[],
    actorId: escalated?.actorId ?? null,
    at: d.at,
    recordedAt: d.recordedAt,
  };
}
