import type { Envelope, Priority, TicketSnapshot, TicketStatus } from '@helpdesk/contracts';
import { makeEnvelope } from '@helpdesk/messaging';

let numbers = 0;

/** The actor of the SLA effects the tests publish in the sla service's place. */
export const SLA_DOUBLE = 'sla-test-double';

/**
 * A ticket's life in events at explicit times: ticket events as the tickets service publishes
 * them (sequence = version, the ticket after the change), SLA effects as the sla service does.
 */
export function story(
  orgId: string,
  id: string,
  createdAt: string,
  over: { priority?: Priority; categoryId?: string | null } = {},
) {
  const ticket: TicketSnapshot = {
    id,
    orgId,
    number: ++numbers,
    key: `HD-${String(numbers).padStart(6, '0')}`,
    title: 'Printer on fire',
    categoryId: over.categoryId ?? null,
    priority: over.priority ?? 'medium',
    status: 'open',
    requesterId: 'requester',
    assigneeId: null,
    tags: [],
    createdAt,
    updatedAt: createdAt,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    escalationLevel: 0,
    reopenCount: 0,
    publicCommentCount: 0,
    version: 1,
  };
  let slaSeq = 0;
  const actor = { type: 'user' as const, id: 'someone' };
  const event = (type: string, at: string, data: (t: TicketSnapshot) => unknown): Envelope =>
    makeEnvelope({
      type,
      orgId,
      aggregateId: id,
      sequence: ticket.version,
      actor,
      occurredAt: new Date(at),
      data: data({ ...ticket }),
    });
  const change = (at: string, set: Partial<TicketSnapshot>) =>
    Object.assign(ticket, set, { version: ticket.version + 1, updatedAt: at });
  const effect = (type: string, at: string, data: Record<string, unknown>): Envelope =>
    makeEnvelope({
      type,
      orgId,
      aggregateId: `sla:ticket:${id}`,
      sequence: ++slaSeq,
      actor: { type: 'system', id: SLA_DOUBLE },
      occurredAt: new Date(at),
      data: { ticketId: id, ...data },
    });

  return {
    created: () => event('ticket.created', createdAt, (t) => ({ ticket: t })),
    assigned(at: string, assigneeId: string) {
      const previousAssigneeId = ticket.assigneeId;
      change(at, { assigneeId, ...(ticket.status === 'open' ? { status: 'assigned' as const } : {}) });
      return event('ticket.assigned', at, (t) => ({
        ticket: t,
        previousAssigneeId,
        via: 'manual',
        ruleId: null,
      }));
    },
    replied(at: string) {
      const first = ticket.firstResponseAt === null;
      change(at, {
        firstResponseAt: ticket.firstResponseAt ?? at,
        publicCommentCount: ticket.publicCommentCount + 1,
      });
      return event('ticket.comment_added', at, (t) => ({
        ticket: t,
        comment: {
          id: `c-${at}`,
          parentId: null,
          authorId: 'agent',
          authorRole: 'agent',
          visibility: 'public',
          createdAt: at,
        },
        firstResponse: first,
      }));
    },
    /** A priority raised (say by an escalation) or another field edited. */
    updated(at: string, set: Partial<TicketSnapshot>) {
      change(at, set);
      return event('ticket.updated', at, (t) => ({ ticket: t, changes: [] }));
    },
    /** An internal note by an agent: never a first response, and the snapshot says so. */
    noted(at: string) {
      change(at, {});
      return event('ticket.comment_added', at, (t) => ({
        ticket: t,
        comment: {
          id: `n-${at}`,
          parentId: null,
          authorId: 'agent',
          authorRole: 'agent',
          visibility: 'internal',
          createdAt: at,
        },
        firstResponse: false,
      }));
    },
    status(at: string, to: TicketStatus, opts: { reopened?: boolean } = {}) {
      const from = ticket.status;
      change(at, {
        status: to,
        ...(to === 'resolved' ? { resolvedAt: at } : {}),
        ...(opts.reopened ? { resolvedAt: null, reopenCount: ticket.reopenCount + 1 } : {}),
        ...(to === 'closed' ? { closedAt: at } : {}),
      });
      return event('ticket.status_changed', at, (t) => ({
        ticket: t,
        from,
        to,
        reopened: opts.reopened ?? false,
      }));
    },
    escalated: (at: string, level: number, clock: string) =>
      effect('ticket.escalated', at, {
        level,
        clock,
        reason: 'breached',
        key: `sla:ticket:${id}:${clock}:1:${level}`,
        actions: [],
      }),
    breached: (at: string, clock: string, cycle = 1) =>
      effect('sla.breached', at, {
        clock,
        cycle,
        at,
        key: `sla:ticket:${id}:${clock}:${cycle}:breached`,
        targetMs: 1000,
      }),
    fulfilled: (at: string, clock: string, met: boolean, elapsedMs: number, cycle = 1) =>
      effect('sla.fulfilled', at, {
        clock,
        cycle,
        at,
        key: `sla:ticket:${id}:${clock}:${cycle}:fulfilled`,
        met,
        targetMs: 3_600_000 * 8,
        elapsedMs,
        pausedMs: 0,
      }),
  };
}

/**
 * Three tickets over 2026-11-10..16 (UTC):
 * - A (high, cat-1): created 10th 09:00, assigned agent-1, replied 10:00 (SLA met, 1 h business),
 *   resolved 11th 09:00 (SLA met, 8 h business), closed 12th.
 * - B (low, no category): created 10th 23:50 (11th in Berlin), assigned agent-2, escalated twice
 *   on the 11th (periodic_update breached), resolved 12th, reopened 13th, resolved 14th 10:00.
 * - C (medium, cat-1): created 15th 10:00, first response breached 14:00, still open.
 * Internal notes on A (09:45, before its reply) and C (11:00) change no figure.
 */
export function scenario(orgId: string, tag = ''): Envelope[] {
  const a = story(orgId, `${orgId}-${tag}A`, '2026-11-10T09:00:00.000Z', {
    priority: 'high',
    categoryId: 'cat-1',
  });
  const b = story(orgId, `${orgId}-${tag}B`, '2026-11-10T23:50:00.000Z', { priority: 'low' });
  const c = story(orgId, `${orgId}-${tag}C`, '2026-11-15T10:00:00.000Z', {
    priority: 'medium',
    categoryId: 'cat-1',
  });
  return [
    a.created(),
    a.assigned('2026-11-10T09:30:00.000Z', 'agent-1'),
    a.noted('2026-11-10T09:45:00.000Z'),
    a.replied('2026-11-10T10:00:00.000Z'),
    a.fulfilled('2026-11-10T10:00:00.000Z', 'first_response', true, 3_600_000),
    b.created(),
    b.assigned('2026-11-11T08:00:00.000Z', 'agent-2'),
    a.status('2026-11-11T09:00:00.000Z', 'resolved'),
    a.fulfilled('2026-11-11T09:00:00.000Z', 'resolution', true, 28_800_000),
    b.breached('2026-11-11T10:00:00.000Z', 'periodic_update'),
    b.escalated('2026-11-11T10:00:00.000Z', 1, 'periodic_update'),
    b.escalated('2026-11-11T12:00:00.000Z', 2, 'periodic_update'),
    a.status('2026-11-12T09:00:00.000Z', 'closed'),
    b.status('2026-11-12T10:00:00.000Z', 'resolved'),
    b.status('2026-11-13T10:00:00.000Z', 'in_progress', { reopened: true }),
    b.status('2026-11-14T10:00:00.000Z', 'resolved'),
    c.created(),
    c.noted('2026-11-15T11:00:00.000Z'),
    c.breached('2026-11-15T14:00:00.000Z', 'first_response'),
  ];
}

/** Fisher-Yates with a seeded generator, so a failing order can be replayed. */
export function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
