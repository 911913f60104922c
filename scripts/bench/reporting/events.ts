// Generated event streams for the reporting benchmark: each ticket's life as the tickets and sla
// services would publish it (envelopes of libs/contracts, fat ticket snapshots, sla effects on the
// workflow's own stream), spread over the last DAYS days with a realistic mix of outcomes.
import { randomUUID } from 'node:crypto';
import {
  type Envelope,
  type Priority,
  SlaBreachedEventSchema,
  SlaFulfilledEventSchema,
  TicketAssignedEventSchema,
  TicketCommentAddedEventSchema,
  TicketCreatedEventSchema,
  TicketEscalatedEventSchema,
  type TicketSnapshot,
  type TicketStatus,
  TicketStatusChangedEventSchema,
} from '../../../libs/contracts/src/index.ts';

export const DAYS = 90;
const PRIORITIES: Priority[] = ['low', 'medium', 'medium', 'high', 'critical'];
const HOUR = 3_600_000;
const TARGETS: Record<Priority, number> = {
  low: 24 * HOUR,
  medium: 4 * HOUR,
  high: HOUR,
  critical: HOUR / 2,
};

export interface OrgShape {
  orgId: string;
  requesterId: string;
  agents: string[];
  categories: string[];
}

export function orgShape(orgId: string): OrgShape {
  return {
    orgId,
    requesterId: randomUUID(),
    agents: Array.from({ length: 10 }, () => randomUUID()),
    categories: Array.from({ length: 5 }, () => randomUUID()),
  };
}

/** A small deterministic PRNG (mulberry32), so two runs seed the same mix. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;

/**
 * The events of ticket `n` of the org, in the order they happened: created; mostly assigned,
 * answered (first response met or breached), resolved and often closed; some escalated; the
 * youngest ones still open. `now` ends the window; nothing is later than it.
 */
export function ticketEvents(org: OrgShape, n: number, now: number): Envelope[] {
  const r = rng(n * 2654435761);
  const ticketId = randomUUID();
  const wf = `sla:ticket:${ticketId}`;
  const createdAt = now - Math.floor(r() * DAYS * 24 * HOUR);
  const priority = pick(r, PRIORITIES);
  const target = TARGETS[priority];
  const ticket: TicketSnapshot = {
    id: ticketId,
    orgId: org.orgId,
    number: n,
    key: `HD-${String(n).padStart(6, '0')}`,
    title: `Bench ticket ${n}`,
    categoryId: r() < 0.9 ? pick(r, org.categories) : null,
    priority,
    status: 'open',
    requesterId: org.requesterId,
    assigneeId: null,
    tags: [],
    createdAt: iso(createdAt),
    updatedAt: iso(createdAt),
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    escalationLevel: 0,
    reopenCount: 0,
    publicCommentCount: 0,
    version: 1,
  };
  const out: Envelope[] = [];
  let seq = 0;
  let slaSeq = 0;
  let t = createdAt;
  const staff = { type: 'user' as const, id: pick(r, org.agents), role: 'agent' as const };
  const emit = (type: string, data: unknown, at: number, opts: { sla?: boolean } = {}) => {
    if (at > now) return false;
    out.push({
      id: randomUUID(),
      type,
      version: 1,
      occurredAt: iso(at),
      orgId: org.orgId,
      aggregateId: opts.sla ? wf : ticketId,
      sequence: opts.sla ? ++slaSeq : ++seq,
      actor: opts.sla ? { type: 'system', id: 'sla' } : staff,
      correlationId: ticketId,
      causationId: null,
      data,
    });
    return true;
  };
  const snap = (at: number, change: Partial<TicketSnapshot>) => {
    Object.assign(ticket, change, { updatedAt: iso(at), version: ticket.version + 1 });
    return { ...ticket };
  };
  const status = (to: TicketStatus, at: number, extra: Partial<TicketSnapshot> = {}) => {
    const from = ticket.status;
    return emit(
      'ticket.status_changed',
      { ticket: snap(at, { status: to, ...extra }), from, to, reopened: false },
      at,
    );
  };
  const slaEffect = (
    clock: string,
    cycle: number,
    at: number,
    what: 'breached' | 'fulfilled',
    met = true,
  ) => {
    const base = {
      ticketId,
      clock,
      cycle,
      at: iso(at),
      key: `${wf}:${clock}:${cycle}:${what}`,
      targetMs: target,
    };
    const data = what === 'breached' ? base : { ...base, met, elapsedMs: at - createdAt, pausedMs: 0 };
    return emit(`sla.${what}`, data, at, { sla: true });
  };

  emit('ticket.created', { ticket: { ...ticket } }, t);
  if (r() < 0.85) {
    t += Math.floor(r() * target * 0.3);
    const agent = pick(r, org.agents);
    staff.id = agent;
    const assigned = snap(t, { assigneeId: agent, status: 'assigned' });
    if (
      !emit('ticket.assigned', { ticket: assigned, previousAssigneeId: null, via: 'manual', ruleId: null }, t)
    )
      return out;
  }
  if (r() < 0.8) {
    const late = r() < 0.1;
    t += Math.floor(r() * target * (late ? 2 : 0.9)) + 1;
    const breachAt = createdAt + target;
    if (late && breachAt < t) slaEffect('first_response', 1, breachAt, 'breached');
    const comment = {
      id: randomUUID(),
      parentId: null,
      authorId: staff.id,
      authorRole: 'agent',
      visibility: 'public',
      createdAt: iso(t),
    };
    const replied = snap(t, { firstResponseAt: iso(t), publicCommentCount: ticket.publicCommentCount + 1 });
    if (!emit('ticket.comment_added', { ticket: replied, comment, firstResponse: true }, t)) return out;
    slaEffect('first_response', 1, t, 'fulfilled', !(late && breachAt < t));
  }
  if (r() < 0.1) {
    const at = createdAt + target;
    slaEffect('periodic_update', 1, at, 'breached');
    ticket.escalationLevel = 1;
    emit(
      'ticket.escalated',
      {
        ticketId,
        level: 1,
        clock: 'periodic_update',
        reason: 'breached',
        key: `${wf}:periodic_update:1:1`,
        actions: [],
      },
      at,
      { sla: true },
    );
  }
  if (r() < 0.75) {
    t += Math.floor(r() * 3 * target) + 1;
    if (!status('resolved', t, { resolvedAt: iso(t) })) return out;
    slaEffect('resolution', 1, t, 'fulfilled', t - createdAt < 3 * target);
    if (r() < 0.6) {
      t += Math.floor(r() * 48 * HOUR) + 1;
      status('closed', t, { closedAt: iso(t) });
    }
  } else if (r() < 0.1) {
    t += Math.floor(r() * target) + 1;
    status('cancelled', t, { closedAt: iso(t) });
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

const SCHEMAS: Record<string, { parse: (v: unknown) => unknown }> = {
  'ticket.created': TicketCreatedEventSchema,
  'ticket.assigned': TicketAssignedEventSchema,
  'ticket.comment_added': TicketCommentAddedEventSchema,
  'ticket.status_changed': TicketStatusChangedEventSchema,
  'ticket.escalated': TicketEscalatedEventSchema,
  'sla.breached': SlaBreachedEventSchema,
  'sla.fulfilled': SlaFulfilledEventSchema,
};

/** Every generated envelope must pass the contract its consumer parses with; throws on the first that does not. */
export function checkContracts(events: Envelope[]): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const e of events) {
    const schema = SCHEMAS[e.type];
    if (!schema) throw new Error(`no contract for ${e.type}`);
    schema.parse(e);
    seen[e.type] = (seen[e.type] ?? 0) + 1;
  }
  return seen;
}
