// Ticket documents for the tickets benchmark, in the exact shape services/tickets stores
// (src/infra/ticket.model.ts): what the raw driver inserts next to the gateway's creates, and the
// tickets seeded for the list measurements.
import { randomUUID } from 'node:crypto';
import { makeEnvelope, outboxEntries } from '../../../libs/messaging/src/index.ts';
import { type HistoryEntry, newTicket, type Ticket } from '../../../services/tickets/src/domain/ticket.ts';
import type { TicketDoc } from '../../../services/tickets/src/infra/ticket.model.ts';
import { ticketEvents } from '../../../services/tickets/src/use-cases/ticket-events.ts';

export interface CreateBody {
  title: string;
  description: string;
  priority: Ticket['priority'];
  tags: string[];
}

const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
const DESCRIPTION =
  'The printer on the third floor jams on every second page since the last driver update. ' +
  'Restarting it helps for about ten minutes. Several people in accounting are affected and ' +
  'the month-end reports are due on Friday.';

/** The body of the i-th create, through the gateway; the raw side stores the same values. */
export const createBody = (i: number): CreateBody => ({
  title: `Printer jams on every second page (${i})`,
  description: DESCRIPTION,
  priority: PRIORITIES[i % PRIORITIES.length] ?? 'medium',
  tags: ['printer', 'floor-3'],
});

/**
 * What an admin's create stores when no assignment rule matches (create-ticket.ts, then the
 * repository's insert): the ticket, its `created` history entry and its pending `ticket.created`
 * event in the outbox.
 */
export function createdTicketDoc(
  admin: { id: string; orgId: string },
  number: number,
  body: CreateBody,
): TicketDoc {
  const now = new Date();
  const ticket = newTicket(
    { id: randomUUID(), orgId: admin.orgId, number, ...body, requesterId: admin.id },
    now,
  );
  const created = ticketEvents.created();
  const event = makeEnvelope({
    type: created.type,
    orgId: ticket.orgId,
    aggregateId: ticket.id,
    sequence: 1,
    actor: { type: 'user', id: admin.id, role: 'admin' },
    occurredAt: now,
    data: created.data(ticket),
    correlationId: randomUUID(),
  });
  const history: HistoryEntry[] = [
    {
      at: now,
      actorId: admin.id,
      actorRole: 'admin',
      field: 'created',
      old: null,
      new: number,
      internal: false,
    },
  ];
  const { id, ...fields } = ticket;
  return { _id: id, ...fields, history, comments: [], escalations: [], outbox: outboxEntries(event) };
}

/** Deterministic, so every run seeds the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An org's backlog: mostly closed and resolved, some open, spread over statuses as in a live desk. */
const STATUS_MIX: [Ticket['status'], number][] = [
  ['open', 0.15],
  ['assigned', 0.1],
  ['in_progress', 0.1],
  ['pending', 0.05],
  ['resolved', 0.2],
  ['closed', 0.35],
  ['cancelled', 0.05],
];

function pickStatus(r: number): Ticket['status'] {
  let below = 0;
  for (const [status, share] of STATUS_MIX) {
    below += share;
    if (r < below) return status;
  }
  return 'closed';
}

export interface SeedPeople {
  admin: { id: string; orgId: string };
  agents: string[];
  requesters: string[];
  categories: string[];
}

export function seedPeople(admin: { id: string; orgId: string }): SeedPeople {
  const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
  return { admin, agents: ids(10), requesters: ids(500), categories: ids(6) };
}

/**
 * `count` tickets numbered from `firstNumber`, already past the outbox (their events went out long
 * ago), created one every `spacingMs` up to `end`. No comments: a list never reads the thread.
 */
export function* seededTicketDocs(
  people: SeedPeople,
  firstNumber: number,
  count: number,
  end: Date,
  spacingMs: number,
): Generator<TicketDoc> {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  for (let i = 0; i < count; i++) {
    const number = firstNumber + i;
    const createdAt = new Date(end.getTime() - (count - i) * spacingMs);
    const at = (minutes: number) => new Date(createdAt.getTime() + minutes * 60_000);
    const status = pickStatus(rnd());
    const requesterId = pick(people.requesters);
    const assigneeId = status === 'open' ? null : pick(people.agents);
    const done = status === 'resolved' || status === 'closed';
    const by = (actorId: string, actorRole: HistoryEntry['actorRole'], minutes: number) => ({
      at: at(minutes),
      actorId,
      actorRole,
      internal: false,
    });
    const history: HistoryEntry[] = [
      { ...by(requesterId, 'user', 0), field: 'created', old: null, new: number },
    ];
    if (assigneeId) {
      history.push({ ...by(people.admin.id, 'admin', 5), field: 'assigneeId', old: null, new: assigneeId });
      history.push({ ...by(people.admin.id, 'admin', 5), field: 'status', old: 'open', new: 'assigned' });
    }
    if (done) {
      history.push({
        ...by(assigneeId ?? '', 'agent', 240),
        field: 'status',
        old: 'assigned',
        new: 'resolved',
      });
    }
    if (status === 'closed') {
      history.push({
        ...by(assigneeId ?? '', 'agent', 1440),
        field: 'status',
        old: 'resolved',
        new: 'closed',
      });
    }
    const updatedAt = history.at(-1)?.at ?? createdAt;
    const { id, ...ticket } = newTicket(
      {
        id: randomUUID(),
        orgId: people.admin.orgId,
        number,
        title: `Cannot reach the VPN from the branch office (${number})`,
        description: DESCRIPTION,
        categoryId: rnd() < 0.2 ? null : pick(people.categories),
        priority: pick(PRIORITIES),
        requesterId,
        tags: rnd() < 0.5 ? ['network'] : ['network', 'vpn'],
      },
      createdAt,
    );
    yield {
      _id: id,
      ...ticket,
      status,
      assigneeId,
      updatedAt,
      firstResponseAt: assigneeId ? at(30) : null,
      resolvedAt: done ? at(240) : null,
      closedAt: status === 'closed' ? at(1440) : null,
      version: history.length,
      history,
      comments: [],
      escalations: [],
      outbox: [],
    };
  }
}
