import type { Envelope, EscalationAction, TicketEscalatedEvent } from '@helpdesk/contracts';
import { makeEnvelope } from '@helpdesk/messaging';
import { describe, expect, it } from 'vitest';
import { aTicket, fakeDeps, InMemoryTickets } from '../../test/in-memory-tickets.ts';
import type { KnownUser, UserDirectory } from '../domain/ports.ts';
import type { Ticket } from '../domain/ticket.ts';
import { applyEscalation, raisedPriority } from './apply-escalation.ts';

const staff = (id: string, over: Partial<KnownUser> = {}): KnownUser => ({
  id,
  orgId: 'org-a',
  username: id,
  email: `${id}@example.com`,
  firstName: '',
  lastName: '',
  role: 'agent',
  active: true,
  ...over,
});

function directory(...users: KnownUser[]): UserDirectory {
  return {
    async find(orgId, id) {
      return users.find((u) => u.id === id && u.orgId === orgId) ?? null;
    },
    async findMany(orgId, ids) {
      return users.filter((u) => ids.includes(u.id) && u.orgId === orgId);
    },
  };
}

async function setup(over: Partial<Ticket> = {}) {
  const tickets = new InMemoryTickets();
  await tickets.insert(aTicket(over), [], []);
  const { deps } = fakeDeps(tickets);
  deps.users = directory(
    staff('agent-1'),
    staff('admin-1', { role: 'admin' }),
    staff('gone', { active: false }),
    staff('cust', { role: 'user' }),
    staff('elsewhere', { orgId: 'org-b' }),
  );
  return { tickets, deps };
}

const escalated = (
  level: number,
  actions: EscalationAction[] = [],
  over: Partial<TicketEscalatedEvent['data']> = {},
): Envelope<TicketEscalatedEvent['data']> =>
  makeEnvelope({
    type: 'ticket.escalated',
    orgId: 'org-a',
    aggregateId: 'ticket-1',
    sequence: level,
    actor: { type: 'system', id: 'sla' },
    data: {
      ticketId: 'ticket-1',
      level,
      clock: 'resolution',
      reason: 'resolution target missed',
      key: `sla:ticket:ticket-1:resolution:1:${level}`,
      actions,
      ...over,
    },
  });

describe('raisedPriority', () => {
  it('when no target is given, then one step up, and critical stays critical', () => {
    expect(['low', 'medium', 'high', 'critical'].map((p) => raisedPriority(p as never, undefined))).toEqual([
      'medium',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('when a target is given, then it is taken only if higher', () => {
    expect(raisedPriority('low', 'high')).toBe('high');
    expect(raisedPriority('critical', 'high')).toBe('critical');
    expect(raisedPriority('high', 'high')).toBe('high');
  });
});

describe('applyEscalation', () => {
  it('when a level arrives, then it is set with a system history entry and one ticket.updated', async () => {
    const { tickets, deps } = await setup({ version: 3 });
    const event = escalated(1);

    const outcome = await applyEscalation(deps, event);

    expect(outcome).toMatchObject({ result: 'applied', ticket: { escalationLevel: 1, version: 4 } });
    expect(await tickets.history('org-a', 'ticket-1')).toEqual([
      {
        field: 'escalationLevel',
        old: 0,
        new: 1,
        internal: false,
        at: deps.clock(),
        actorId: 'sla',
        actorRole: 'system',
      },
    ]);
    expect(tickets.outbox).toHaveLength(1);
    expect(tickets.outbox[0]).toMatchObject({
      type: 'ticket.updated',
      sequence: 4,
      actor: { type: 'system', id: 'sla' },
      causationId: event.id,
      correlationId: event.correlationId,
      data: { changes: [{ field: 'escalationLevel', old: 0, new: 1 }] },
    });
  });

  it('when the same key comes again, also under another event id, then nothing changes', async () => {
    const { tickets, deps } = await setup();
    const first = escalated(1, [{ type: 'raise_priority' }]);
    await applyEscalation(deps, first);

    const again = await applyEscalation(deps, first);
    const copy = await applyEscalation(deps, escalated(1, [{ type: 'raise_priority' }]));

    expect([again.result, copy.result]).toEqual(['duplicate', 'duplicate']);
    expect((await tickets.find('org-a', 'ticket-1'))?.priority).toBe('high');
    expect(tickets.outbox).toHaveLength(1);
  });

  it('when a lower level arrives after a higher one, then the level stays but its actions run', async () => {
    const { tickets, deps } = await setup({ priority: 'low' });
    await applyEscalation(deps, escalated(3));

    const stale = await applyEscalation(deps, escalated(2, [{ type: 'raise_priority' }]));

    expect(stale).toMatchObject({ result: 'applied', ticket: { escalationLevel: 3, priority: 'medium' } });
    expect(tickets.outbox.at(-1)?.data).toMatchObject({
      changes: [{ field: 'priority', old: 'low', new: 'medium' }],
    });
  });

  it('when a lower level has nothing to do, then nothing is written', async () => {
    const { tickets, deps } = await setup({ escalationLevel: 2 });
    const outcome = await applyEscalation(deps, escalated(1));
    expect(outcome.result).toBe('unchanged');
    expect(tickets.outbox).toHaveLength(0);
  });

  it('when the ladder reassigns an open ticket, then assignee and status change with their events', async () => {
    const { tickets, deps } = await setup();

    const outcome = await applyEscalation(deps, escalated(1, [{ type: 'reassign', assigneeId: 'agent-1' }]));

    expect(outcome).toMatchObject({
      result: 'applied',
      ticket: { assigneeId: 'agent-1', status: 'assigned' },
    });
    expect(tickets.outbox.map((e) => [e.type, e.sequence])).toEqual([
      ['ticket.updated', 2],
      ['ticket.assigned', 3],
      ['ticket.status_changed', 4],
    ]);
    expect(tickets.outbox[1]?.data).toMatchObject({ via: 'escalation', previousAssigneeId: null });
  });

  it.each([
    ['inactive', 'gone'],
    ['a customer', 'cust'],
    ['of another org', 'elsewhere'],
    ['unknown', 'nobody'],
  ])(
    'when the reassign target is %s, then the reassignment is skipped and the rest applies',
    async (_, who) => {
      const { deps } = await setup({ assigneeId: 'agent-1', status: 'assigned' });

      const outcome = await applyEscalation(deps, escalated(1, [{ type: 'reassign', assigneeId: who }]));

      expect(outcome).toMatchObject({
        result: 'applied',
        ticket: { assigneeId: 'agent-1', escalationLevel: 1 },
      });
      expect(outcome.skipped).toEqual([{ action: 'reassign', reason: expect.stringContaining(who) }]);
    },
  );

  it.each(['closed', 'cancelled'] as const)(
    'when the ticket is %s, then it is left alone',
    async (status) => {
      const { tickets, deps } = await setup({ status });
      const outcome = await applyEscalation(deps, escalated(2, [{ type: 'raise_priority', to: 'critical' }]));
      expect(outcome).toMatchObject({ result: 'final', ticket: { escalationLevel: 0, priority: 'medium' } });
      expect(tickets.outbox).toHaveLength(0);
    },
  );

  it('when the ticket does not exist in the event org, then not_found and nothing is written', async () => {
    const { tickets, deps } = await setup();
    const other = { ...escalated(1), orgId: 'org-b' };
    expect((await applyEscalation(deps, other)).result).toBe('not_found');
    expect((await applyEscalation(deps, escalated(1, [], { ticketId: 'nope' }))).result).toBe('not_found');
    expect(tickets.outbox).toHaveLength(0);
  });

  it('when another write lands between read and write, then the escalation is planned again on it', async () => {
    const { tickets, deps } = await setup();
    let raced = false;
    tickets.beforeApply = () => {
      if (raced) return;
      raced = true;
      const s = tickets.stored.get('ticket-1');
      if (s) s.ticket = { ...s.ticket, priority: 'high', version: s.ticket.version + 1 };
    };

    const outcome = await applyEscalation(deps, escalated(1, [{ type: 'raise_priority' }]));

    expect(outcome).toMatchObject({ result: 'applied', ticket: { priority: 'critical', version: 3 } });
  });
});
