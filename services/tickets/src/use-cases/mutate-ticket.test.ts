import { describe, expect, it } from 'vitest';
import { aTicket, fakeDeps, InMemoryTickets } from '../../test/in-memory-tickets.ts';
import type { Caller } from '../domain/access.ts';
import type { Ticket } from '../domain/ticket.ts';
import { StaleVersionError, TicketNotFoundError } from '../domain/tickets.errors.ts';
import { type Acting, diff, mutateTicket, type Plan } from './mutate-ticket.ts';
import { ticketEvents } from './ticket-events.ts';

const admin: Caller = { id: 'admin-1', orgId: 'org-a', role: 'admin' };

/** A plan that renames the ticket: one field, one history entry, `events` events. */
const rename =
  (title: string, events = 1) =>
  (t: Ticket): Plan => {
    const set = { title };
    return {
      set,
      history: diff(t, set),
      events: Array.from({ length: events }, () => ticketEvents.updated(diff(t, set))),
    };
  };

async function setup(over: Partial<Ticket> = {}) {
  const tickets = new InMemoryTickets();
  await tickets.insert(aTicket(over), [], []);
  return { tickets, ...fakeDeps(tickets) };
}

/** Writes over the stored ticket as another request would, bumping its version by one. */
function concurrentWrite(tickets: InMemoryTickets, set: Partial<Ticket>) {
  const s = tickets.stored.get('ticket-1');
  if (!s) throw new Error('no ticket');
  s.ticket = { ...s.ticket, ...set, version: s.ticket.version + 1 };
}

describe('mutateTicket', () => {
  it('when a plan applies, then fields, history and events are written at once with the next sequence', async () => {
    const { tickets, deps, kicks } = await setup({ version: 4 });
    const after = await mutateTicket(deps, admin, 'ticket-1', rename('Scanner'));
    expect(after).toMatchObject({ title: 'Scanner', version: 5, updatedAt: deps.clock() });
    expect(await tickets.history('org-a', 'ticket-1')).toEqual([
      {
        field: 'title',
        old: 'Printer',
        new: 'Scanner',
        internal: false,
        at: deps.clock(),
        actorId: 'admin-1',
        actorRole: 'admin',
      },
    ]);
    expect(tickets.outbox.map((e) => [e.type, e.sequence, e.aggregateId, e.orgId])).toEqual([
      ['ticket.updated', 5, 'ticket-1', 'org-a'],
    ]);
    expect(tickets.outbox[0]?.actor).toEqual({ type: 'user', id: 'admin-1', role: 'admin' });
    expect(kicks()).toBe(1);
  });

  it('when changes follow each other, then their sequences are consecutive and the version is the last one', async () => {
    const { tickets, deps } = await setup();
    await mutateTicket(deps, admin, 'ticket-1', rename('a'));
    await mutateTicket(deps, admin, 'ticket-1', rename('b', 2));
    const last = await mutateTicket(deps, admin, 'HD-000001', rename('c'));
    expect(tickets.outbox.map((e) => e.sequence)).toEqual([2, 3, 4, 5]);
    expect(last.version).toBe(5);
    expect(new Set(tickets.outbox.map((e) => e.id)).size).toBe(4);
  });

  it('when a change is written, then the relay is kicked with the whole pending outbox the write returned', async () => {
    const { tickets, deps, kicked } = await setup();
    await mutateTicket(deps, admin, 'ticket-1', rename('a'));
    await mutateTicket(deps, admin, 'ticket-1', rename('b', 2));
    // The fake's outbox is never drained, so the last write left all three events pending.
    expect(kicked.at(-1)).toEqual({
      ticketId: 'ticket-1',
      outbox: tickets.outbox.map((e) => expect.objectContaining({ _id: e.id, envelope: e })),
    });
    expect(tickets.outbox).toHaveLength(3);
  });

  it('when another write lands between read and write, then the ticket is read and planned again', async () => {
    const { tickets, deps } = await setup();
    let interfered = false;
    tickets.beforeApply = async () => {
      if (interfered) return;
      interfered = true;
      concurrentWrite(tickets, { description: 'from elsewhere' });
    };
    const planned: number[] = [];
    const after = await mutateTicket(deps, admin, 'ticket-1', (t) => {
      planned.push(t.version);
      return rename('Scanner')(t);
    });
    expect(planned).toEqual([1, 2]);
    expect(after).toMatchObject({ title: 'Scanner', description: 'from elsewhere', version: 3 });
    expect(tickets.outbox.map((e) => e.sequence)).toEqual([3]);
  });

  it('when If-Match names an older version, then nothing is planned or written and the error says the current one', async () => {
    const { tickets, deps, kicks } = await setup({ version: 3 });
    let planned = false;
    const attempt = mutateTicket(
      deps,
      admin,
      'ticket-1',
      (t) => {
        planned = true;
        return rename('x')(t);
      },
      { ifMatch: 2 },
    );
    await expect(attempt).rejects.toBeInstanceOf(StaleVersionError);
    await expect(attempt).rejects.toMatchObject({
      code: 'TICKET_VERSION_STALE',
      status: 412,
      extra: { currentVersion: 3 },
      headers: { etag: '"3"' },
    });
    expect(planned).toBe(false);
    expect(tickets.applyCalls).toBe(0);
    expect(tickets.outbox).toEqual([]);
    expect(kicks()).toBe(0);
  });

  it('when If-Match matched the read but another write got in first, then it is 412, not a silent retry', async () => {
    const { tickets, deps } = await setup();
    tickets.beforeApply = async () => {
      tickets.beforeApply = undefined;
      concurrentWrite(tickets, { description: 'from elsewhere' });
    };
    await expect(mutateTicket(deps, admin, 'ticket-1', rename('x'), { ifMatch: 1 })).rejects.toMatchObject({
      code: 'TICKET_VERSION_STALE',
      extra: { currentVersion: 2 },
    });
    expect((await tickets.find('org-a', 'ticket-1'))?.title).toBe('Printer');
    expect(tickets.applyCalls).toBe(1);
  });

  it('when If-Match names the current version, then the change applies', async () => {
    const { deps } = await setup({ version: 7 });
    expect((await mutateTicket(deps, admin, 'ticket-1', rename('x'), { ifMatch: 7 })).version).toBe(8);
  });

  it('when every attempt loses to another write, then it gives up after a bounded number of tries', async () => {
    const { tickets, deps } = await setup();
    tickets.beforeApply = () => concurrentWrite(tickets, { description: String(tickets.applyCalls) });
    await expect(mutateTicket(deps, admin, 'ticket-1', rename('x'))).rejects.toThrow(
      /too many concurrent writes/,
    );
    expect(tickets.applyCalls).toBe(8);
    expect((await tickets.find('org-a', 'ticket-1'))?.title).toBe('Printer');
  });

  it('when the plan has nothing to change, then nothing is written and the ticket comes back as read', async () => {
    const { tickets, deps, kicks } = await setup();
    const t = await mutateTicket(deps, admin, 'ticket-1', () => null);
    expect(t.version).toBe(1);
    expect(tickets.applyCalls).toBe(0);
    expect(kicks()).toBe(0);
  });

  it.each<[string, Acting]>([
    ['a customer who is not the requester', { id: 'cust-2', orgId: 'org-a', role: 'user' }],
    ['an agent when someone else has it', { id: 'agent-2', orgId: 'org-a', role: 'agent' }],
    ['an admin of another org', { id: 'admin-1', orgId: 'org-b', role: 'admin' }],
    ['the system of another org', { kind: 'system', id: 'sla', orgId: 'org-b' }],
  ])('when %s writes, then the ticket does not exist for them', async (_, acting) => {
    const { tickets, deps } = await setup({ assigneeId: 'agent-1' });
    await expect(mutateTicket(deps, acting, 'ticket-1', rename('x'), { ifMatch: 0 })).rejects.toBeInstanceOf(
      TicketNotFoundError,
    );
    expect(tickets.applyCalls).toBe(0);
  });

  it('when the system writes, then it sees any ticket of its org and is recorded as system', async () => {
    const { tickets, deps } = await setup({ assigneeId: 'agent-1' });
    await mutateTicket(deps, { kind: 'system', id: 'sla', orgId: 'org-a' }, 'ticket-1', rename('x'));
    expect((await tickets.history('org-a', 'ticket-1'))[0]).toMatchObject({
      actorId: 'sla',
      actorRole: 'system',
    });
    expect(tickets.outbox[0]?.actor).toEqual({ type: 'system', id: 'sla' });
  });

  it('when an escalation was applied before, then applying it again changes nothing and does not fail', async () => {
    const { tickets, deps } = await setup();
    const escalate = (t: Ticket): Plan => ({
      ...rename(`level ${t.escalationLevel + 1}`)(t),
      set: { escalationLevel: t.escalationLevel + 1 },
      escalation: { key: 'policy-1:1', level: 1, at: deps.clock() },
    });
    const system: Acting = { kind: 'system', id: 'sla', orgId: 'org-a' };
    const first = await mutateTicket(deps, system, 'ticket-1', escalate);
    const again = await mutateTicket(deps, system, 'ticket-1', escalate);
    expect(first.escalationLevel).toBe(1);
    expect(again).toMatchObject({ escalationLevel: 1, version: 2 });
    expect(tickets.outbox).toHaveLength(1);
  });

  it('when correlation and causation ids are given, then every event carries them', async () => {
    const { tickets, deps } = await setup();
    await mutateTicket(deps, admin, 'ticket-1', rename('x', 2), {
      correlationId: 'req-1',
      causationId: 'ev-0',
    });
    expect(tickets.outbox.map((e) => [e.correlationId, e.causationId])).toEqual([
      ['req-1', 'ev-0'],
      ['req-1', 'ev-0'],
    ]);
  });
});

describe('diff', () => {
  it('when some fields keep their value, then history lists only the changed ones, arrays by content', () => {
    const t = aTicket({ tags: ['a', 'b'], assigneeId: null });
    expect(
      diff(t, { title: 'Printer', tags: ['a', 'b'], assigneeId: 'agent-1', priority: 'high' }, true),
    ).toEqual([
      { field: 'assigneeId', old: null, new: 'agent-1', internal: true },
      { field: 'priority', old: 'medium', new: 'high', internal: true },
    ]);
  });
});
