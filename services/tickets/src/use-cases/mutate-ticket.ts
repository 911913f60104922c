import type { Actor, Envelope } from '@helpdesk/contracts';
import { type Caller, canSee } from '../domain/access.ts';
import type { TicketChange } from '../domain/ports.ts';
import type { HistoryEntry, Ticket } from '../domain/ticket.ts';
import { StaleVersionError, TicketNotFoundError } from '../domain/tickets.errors.ts';
import type { TicketsDeps } from './deps.ts';

/** Who acts: a caller of the API, or the system (an SLA escalation), always within one org. */
export type Acting = (Caller & { kind?: 'user' }) | { kind: 'system'; id: string; orgId: string };

export interface PlannedEvent {
  type: string;
  data: (after: Ticket) => unknown;
  /**
   * The fields set up to and including this event's own change, when a plan merges several
   * changes; the event's snapshot is the ticket as it was right after its change. Without it the
   * snapshot has the plan's whole `set`.
   */
  upto?: Partial<Ticket>;
}

/** What a use case wants to change, given the ticket as read; `null` means nothing to do. */
export interface Plan {
  set: TicketChange['set'];
  history: Omit<HistoryEntry, 'at' | 'actorId' | 'actorRole'>[];
  comment?: TicketChange['comment'];
  escalation?: TicketChange['escalation'];
  events: PlannedEvent[];
  /**
   * The change is invisible to customers (an internal note, a file on one): their `version`,
   * ETag and `updated_at` stay as they were, so nothing lets them count such changes.
   */
  internal?: boolean;
}

export interface MutateOptions {
  /** The version from `If-Match`: the change applies only to that version (412 otherwise). */
  ifMatch?: number | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
}

const MAX_ATTEMPTS = 8;

export const actorOf = (a: Acting): Actor =>
  a.kind === 'system' ? { type: 'system', id: a.id } : { type: 'user', id: a.id, role: a.role };

/**
 * Reads the ticket, lets `plan` decide the change, and writes it together with its history and
 * events in one conditional update on the version read. When another write got in first, the
 * ticket is read again and planned again, unless the caller pinned a version with `If-Match`:
 * then the answer is 412. Each planned event gets the next `sequence`, so the new version is the
 * sequence of the last event.
 */
export async function mutateTicket(
  deps: TicketsDeps,
  acting: Acting,
  idOrKey: string,
  plan: (t: Ticket) => Plan | null,
  opts: MutateOptions = {},
): Promise<Ticket> {
  for (let attempt = 1; ; attempt++) {
    const read = await deps.tickets.find(acting.orgId, idOrKey);
    if (!read || (acting.kind !== 'system' && !canSee(acting, read))) throw new TicketNotFoundError();
    const seen = versionSeenBy(acting, read);
    if (opts.ifMatch !== undefined && opts.ifMatch !== seen) throw new StaleVersionError(seen);
    const p = plan(read);
    if (!p) return read;
    const { change } = buildChange(deps, acting, read, p, deps.clock(), opts);
    const written = await deps.tickets.apply(read, change);
    if (written) {
      deps.events.kick({ ticketId: written.ticket.id, outbox: written.outbox });
      return written.ticket;
    }
    const current = await deps.tickets.find(acting.orgId, read.id);
    // Same version, no match: the escalation's key was applied before, so there is nothing to do.
    if (change.escalation && current?.version === read.version) return current;
    if (opts.ifMatch !== undefined)
      throw new StaleVersionError(current ? versionSeenBy(acting, current) : seen);
    if (attempt >= MAX_ATTEMPTS) throw new Error(`ticket ${read.id}: too many concurrent writes`);
  }
}

/** The version a caller reads and names in If-Match: customers see only the changes they can see. */
export const versionSeenBy = (acting: Acting, t: Ticket): number =>
  acting.kind !== 'system' && acting.role === 'user' ? t.publicVersion : t.version;

/**
 * Turns a plan into the change to write: history stamped with actor and time, one event per
 * planned event with the next sequences (each carrying the ticket as it was right after its own
 * change, with `version` = its sequence), and the new versions.
 */
export function buildChange(
  deps: Pick<TicketsDeps, 'events'>,
  acting: Acting,
  read: Ticket,
  p: Plan,
  now: Date,
  opts: Pick<MutateOptions, 'correlationId' | 'causationId'> = {},
): { after: Ticket; change: TicketChange } {
  const version = read.version + p.events.length;
  const visible = p.internal ? {} : { publicVersion: read.publicVersion + 1, publicUpdatedAt: now };
  const set = { ...p.set, ...visible, updatedAt: now };
  const actor = actorOf(acting);
  const events: Envelope[] = p.events.map((e, i) => {
    const sequence = read.version + 1 + i;
    const snapshot: Ticket = { ...read, ...(e.upto ?? p.set), updatedAt: now, version: sequence };
    return deps.events.envelope({
      type: e.type,
      orgId: read.orgId,
      aggregateId: read.id,
      sequence,
      actor,
      occurredAt: now,
      data: e.data(snapshot),
      ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
      ...(opts.causationId ? { causationId: opts.causationId } : {}),
    });
  });
  const change: TicketChange = {
    set,
    history: p.history.map((h) => ({
      ...h,
      at: now,
      actorId: acting.id,
      actorRole: acting.kind === 'system' ? 'system' : acting.role,
    })),
    events,
    ...(p.comment ? { comment: p.comment } : {}),
    ...(p.escalation ? { escalation: p.escalation } : {}),
  };
  return { after: { ...read, ...set, version }, change };
}

/** History entries for the fields whose value changes. */
export function diff(
  before: Ticket,
  set: Partial<Ticket>,
  internal = false,
): { field: string; old: unknown; new: unknown; internal: boolean }[] {
  const out: { field: string; old: unknown; new: unknown; internal: boolean }[] = [];
  for (const [field, value] of Object.entries(set)) {
    const old = before[field as keyof Ticket];
    const same = JSON.stringify(old) === JSON.stringify(value);
    if (!same) out.push({ field, old: old ?? null, new: value ?? null, internal });
  }
  return out;
}
