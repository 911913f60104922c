import type { Envelope, TicketSnapshot, TicketStatus } from '@helpdesk/contracts';

/** What the projections need of one ticket event; the ticket as the event saw it. */
export interface TicketFact {
  id: string;
  seq: number;
  type: string;
  at: number;
  p: string;
  c: string | null;
  a: string | null;
  status: TicketStatus;
  createdAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  /** ticket.status_changed only */
  to?: TicketStatus;
  reopened?: boolean;
}

/** One SLA effect (sla.* or ticket.escalated), deduplicated by its effect key. */
export interface SlaFact {
  id: string;
  key: string;
  type: string;
  at: number;
  clock: string;
  cycle: number;
  level?: number;
  met?: boolean;
  elapsedMs?: number;
}

/** Everything known of one ticket: the per-ticket fact document's content. */
export interface TicketFacts {
  t: TicketFact[];
  s: SlaFact[];
}

export type ParsedEvent =
  | { ticketId: string; kind: 't'; fact: TicketFact }
  | { ticketId: string; kind: 's'; fact: SlaFact };

const ms = (iso: string) => Date.parse(iso);
const msOrNull = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function fromSnapshot(e: Envelope, ticket: TicketSnapshot): TicketFact {
  return {
    id: e.id,
    seq: e.sequence,
    type: e.type,
    at: ms(e.occurredAt),
    p: ticket.priority,
    c: ticket.categoryId,
    a: ticket.assigneeId,
    status: ticket.status,
    createdAt: ms(ticket.createdAt),
    firstResponseAt: msOrNull(ticket.firstResponseAt),
    resolvedAt: msOrNull(ticket.resolvedAt),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the envelope was validated against its type's schema
type Data = any;

/** The fact an event (already validated) contributes, or null for events reports ignore. */
export function parseEvent(e: Envelope): ParsedEvent | null {
  const data = e.data as Data;
  switch (e.type) {
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.assigned':
    case 'ticket.comment_added':
      return { ticketId: data.ticket.id, kind: 't', fact: fromSnapshot(e, data.ticket) };
    case 'ticket.status_changed':
      return {
        ticketId: data.ticket.id,
        kind: 't',
        fact: { ...fromSnapshot(e, data.ticket), to: data.to, reopened: data.reopened },
      };
    case 'ticket.escalated':
      return {
        ticketId: data.ticketId,
        kind: 's',
        fact: {
          id: e.id,
          key: data.key,
          type: e.type,
          at: ms(e.occurredAt),
          clock: data.clock,
          cycle: 0,
          level: data.level,
        },
      };
    case 'sla.breached':
    case 'sla.fulfilled':
      return {
        ticketId: data.ticketId,
        kind: 's',
        fact: {
          id: e.id,
          key: data.key,
          type: e.type,
          at: ms(data.at),
          clock: data.clock,
          cycle: data.cycle,
          ...(e.type === 'sla.fulfilled' ? { met: data.met, elapsedMs: data.elapsedMs } : {}),
        },
      };
    default:
      return null;
  }
}

/** True when the facts already hold this event (by envelope id, or by SLA effect key). */
export function knows(facts: TicketFacts, ev: ParsedEvent): boolean {
  if (ev.kind === 't') return facts.t.some((f) => f.id === ev.fact.id || f.seq === ev.fact.seq);
  return facts.s.some((f) => f.id === ev.fact.id || f.key === ev.fact.key);
}

/** Adds events in a canonical order, so the stored document does not depend on arrival order. */
export function addFacts(facts: TicketFacts, events: ParsedEvent[]): TicketFacts {
  const next: TicketFacts = { t: [...facts.t], s: [...facts.s] };
  for (const ev of events) {
    if (knows(next, ev)) continue;
    if (ev.kind === 't') next.t.push(ev.fact);
    else next.s.push(ev.fact);
  }
  next.t.sort((a, b) => a.seq - b.seq);
  next.s.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return next;
}
