import type { Envelope } from '@helpdesk/contracts';
import { makeEnvelope, type OutboxEntry, outboxEntries } from '@helpdesk/messaging';
import type { TicketChange, TicketRepository } from '../src/domain/ports.ts';
import { type HistoryEntry, newTicket, parseTicketKey, type Ticket } from '../src/domain/ticket.ts';
import type { TicketsDeps } from '../src/use-cases/deps.ts';

interface Stored {
  ticket: Ticket;
  history: HistoryEntry[];
  escalationKeys: string[];
  /** Never drained: no relay runs here, so everything written stays pending. */
  pending: OutboxEntry[];
}

/**
 * The ticket repository in memory, with the rule the mongo adapter enforces: `apply` writes only
 * over the version read, in one step with its history and events. `beforeApply` runs just before
 * each conditional write, so a test can slip a concurrent write in between read and write.
 */
export class InMemoryTickets implements TicketRepository {
  readonly stored = new Map<string, Stored>();
  /** Events written with the changes, in write order (the outbox as the relay would see it). */
  readonly outbox: Envelope[] = [];
  readonly counters = new Map<string, number>();
  beforeApply: ((read: Ticket) => Promise<void> | void) | undefined;
  applyCalls = 0;

  async nextNumber(orgId: string) {
    const n = (this.counters.get(orgId) ?? 0) + 1;
    this.counters.set(orgId, n);
    return n;
  }

  async insert(ticket: Ticket, history: HistoryEntry[], events: Envelope[]) {
    const pending = outboxEntries(...events);
    this.stored.set(ticket.id, structuredClone({ ticket, history, escalationKeys: [], pending }));
    this.outbox.push(...events);
    return { outbox: structuredClone(pending) };
  }

  async find(orgId: string, idOrKey: string) {
    const number = parseTicketKey(idOrKey);
    for (const s of this.stored.values()) {
      const hit = number === undefined ? s.ticket.id === idOrKey : s.ticket.number === number;
      if (hit && s.ticket.orgId === orgId) return structuredClone(s.ticket);
    }
    return null;
  }

  async apply(read: Ticket, change: TicketChange) {
    this.applyCalls++;
    await this.beforeApply?.(read);
    const s = this.stored.get(read.id);
    if (!s || s.ticket.orgId !== read.orgId || s.ticket.version !== read.version) return null;
    if (change.escalation && s.escalationKeys.includes(change.escalation.key)) return null;
    s.ticket = { ...s.ticket, ...structuredClone(change.set), version: read.version + change.events.length };
    s.history.push(...structuredClone(change.history));
    if (change.escalation) s.escalationKeys.push(change.escalation.key);
    this.outbox.push(...change.events);
    s.pending.push(...outboxEntries(...change.events));
    return { ticket: structuredClone(s.ticket), outbox: structuredClone(s.pending) };
  }

  async list(): Promise<never> {
    throw new Error('not used by these tests');
  }

  async comments() {
    return [];
  }

  async history(orgId: string, id: string) {
    const s = this.stored.get(id);
    return s && s.ticket.orgId === orgId ? structuredClone(s.history) : [];
  }

  async activeLoad(): Promise<never> {
    throw new Error('not used by these tests');
  }
}

const unused = new Proxy(
  {},
  {
    get(_, name) {
      throw new Error(`not used by these tests: ${String(name)}`);
    },
  },
);

/** Use-case deps over `tickets`, with a fixed clock; whatever a test does not use throws. */
export function fakeDeps(tickets: InMemoryTickets, now = new Date('2030-01-01T00:00:00Z')) {
  const kicked: Parameters<TicketsDeps['events']['kick']>[0][] = [];
  let ids = 0;
  const deps: TicketsDeps = {
    tickets,
    categories: unused as TicketsDeps['categories'],
    users: unused as TicketsDeps['users'],
    rules: unused as TicketsDeps['rules'],
    attachments: unused as TicketsDeps['attachments'],
    settings: { maxCommentsPerTicket: 1000, attachmentMaxBytes: 1024 },
    autoAssign: async () => null,
    events: { envelope: makeEnvelope, kick: (written) => void kicked.push(written) },
    clock: () => now,
    newId: () => `t-${++ids}`,
  };
  return { deps, kicks: () => kicked.length, kicked };
}

/** A stored-shape ticket for seeding the fake. */
export function aTicket(over: Partial<Ticket> = {}): Ticket {
  return {
    ...newTicket(
      { id: 'ticket-1', orgId: 'org-a', number: 1, title: 'Printer', requesterId: 'cust-1' },
      new Date('2029-12-31T00:00:00Z'),
    ),
    ...over,
  };
}
