import { type Actor, TicketEvents, type TicketSnapshot } from '@helpdesk/contracts';
import { makeEnvelope } from '@helpdesk/messaging';
import { describe, expect, it } from 'vitest';
import { type TicketEvent, TicketEventSchema, ticketFacts } from './ticket-facts.ts';

const ticket: TicketSnapshot = {
  id: 't-1',
  orgId: 'org-1',
  number: 1,
  key: 'HD-000001',
  title: 'x',
  categoryId: 'cat-1',
  priority: 'high',
  status: 'in_progress',
  requesterId: 'u-customer',
  assigneeId: 'u-agent',
  tags: [],
  createdAt: '2025-03-03T09:00:00.000Z',
  updatedAt: '2025-03-03T10:00:00.000Z',
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  escalationLevel: 2,
  reopenCount: 0,
  publicCommentCount: 0,
  version: 4,
};

const agent: Actor = { type: 'user', id: 'u-agent', role: 'agent' };
const admin: Actor = { type: 'user', id: 'u-admin', role: 'admin' };
const customer: Actor = { type: 'user', id: 'u-customer', role: 'user' };
const system: Actor = { type: 'system', id: 'sla' };

function event(type: string, actor: Actor, data: Record<string, unknown>): TicketEvent {
  return TicketEventSchema.parse(
    makeEnvelope({
      type,
      orgId: 'org-1',
      aggregateId: 't-1',
      sequence: 4,
      actor,
      occurredAt: new Date('2025-03-03T10:00:00.000Z'),
      data: { ticket, ...data },
    }),
  );
}

const statusChanged = (actor: Actor, reopened = false) =>
  event(TicketEvents.StatusChanged, actor, { from: 'assigned', to: 'in_progress', reopened });
const assigned = (actor: Actor, via: 'manual' | 'rule' | 'escalation') =>
  event(TicketEvents.Assigned, actor, { previousAssigneeId: null, via, ruleId: null });
const commented = (actor: Actor, visibility: 'public' | 'internal', firstResponse = false) =>
  event(TicketEvents.CommentAdded, actor, {
    comment: {
      id: 'c-1',
      parentId: null,
      authorId: actor.id,
      authorRole: actor.role ?? 'agent',
      visibility,
      createdAt: '2025-03-03T10:00:00.000Z',
    },
    firstResponse,
  });
const updated = (actor: Actor) =>
  event(TicketEvents.Updated, actor, { changes: [{ field: 'priority', old: 'medium', new: 'high' }] });

describe('ticketFacts', () => {
  it('when any ticket event arrives, then the facts carry the ticket after the change, the snapshot instants and its escalation level', () => {
    expect(ticketFacts(updated(agent))).toEqual({
      sequence: 4,
      type: 'ticket.updated',
      at: '2025-03-03T10:00:00.000Z',
      status: 'in_progress',
      priority: 'high',
      categoryId: 'cat-1',
      staffActivity: false,
      firstPublicStaffReply: false,
      reopened: false,
      firstResponseAt: null,
      createdAt: '2025-03-03T09:00:00.000Z',
      escalationLevel: 2,
    });
  });

  it.each([
    ['a status change by an agent', statusChanged(agent)],
    ['a status change by an admin', statusChanged(admin)],
    ['a manual assignment by an admin', assigned(admin, 'manual')],
    ['a public reply by an agent', commented(agent, 'public')],
    ['an internal note by an agent', commented(agent, 'internal')],
  ])('when the event is %s, then it is staff activity', (_, e) => {
    expect(ticketFacts(e).staffActivity).toBe(true);
  });

  it.each([
    ['an edit of fields by an agent', updated(agent)],
    ['an assignment by a rule', assigned(customer, 'rule')],
    ["the sla service's own reassignment", assigned(system, 'escalation')],
    ["the sla service's own priority raise", updated(system)],
    ['a reply by the customer', commented(customer, 'public')],
    ['a reopen by the customer', statusChanged(customer, true)],
  ])('when the event is %s, then it is no staff activity', (_, e) => {
    expect(ticketFacts(e).staffActivity).toBe(false);
  });

  it('when a comment is the first public staff reply, then the facts say so', () => {
    expect(ticketFacts(commented(agent, 'public', true)).firstPublicStaffReply).toBe(true);
    expect(ticketFacts(commented(agent, 'public', false)).firstPublicStaffReply).toBe(false);
  });

  it('when a status change reopens the ticket, then the facts say so', () => {
    expect(ticketFacts(statusChanged(customer, true)).reopened).toBe(true);
    expect(ticketFacts(statusChanged(agent, false)).reopened).toBe(false);
  });

  it('when the event is ticket.escalated, then the schema does not take it', () => {
    const escalated = makeEnvelope({
      type: TicketEvents.Escalated,
      orgId: 'org-1',
      aggregateId: 'sla:ticket:t-1',
      sequence: 1,
      actor: system,
      data: { ticketId: 't-1', level: 1, clock: 'manual', reason: 'x', key: 'k', actions: [] },
    });
    expect(TicketEventSchema.safeParse(escalated).success).toBe(false);
  });
});
