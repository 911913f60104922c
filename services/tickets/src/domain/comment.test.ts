import type { TicketStatus } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import type { Caller } from './access.ts';
import { canSeeComment, isFirstResponse, requesterReplyStatus } from './comment.ts';
import { type Comment, newTicket, type Ticket } from './ticket.ts';

const customer: Caller = { id: 'c1', orgId: 'o', role: 'user' };
const agent: Caller = { id: 'a1', orgId: 'o', role: 'agent' };
const admin: Caller = { id: 'ad', orgId: 'o', role: 'admin' };

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  ...newTicket({ id: 't1', orgId: 'o', number: 1, title: 'x', requesterId: customer.id }, new Date(0)),
  ...over,
});

const note: Comment = {
  id: 'n',
  parentId: null,
  authorId: agent.id,
  authorRole: 'agent',
  body: 'b',
  internal: true,
  createdAt: new Date(0),
};

describe('canSeeComment', () => {
  it('when a comment is an internal note, then only staff see it', () => {
    expect(canSeeComment(customer, note)).toBe(false);
    expect(canSeeComment(agent, note)).toBe(true);
    expect(canSeeComment(admin, note)).toBe(true);
    expect(canSeeComment(customer, { ...note, internal: false })).toBe(true);
  });
});

describe('isFirstResponse', () => {
  it('when staff reply publicly before anyone else did, then it is the first response', () => {
    expect(isFirstResponse(agent, ticket(), false)).toBe(true);
    expect(isFirstResponse(admin, ticket(), false)).toBe(true);
  });

  it('when the reply is internal, by the requester, or after a first response, then it is not', () => {
    expect(isFirstResponse(agent, ticket(), true)).toBe(false);
    expect(isFirstResponse(customer, ticket(), false)).toBe(false);
    expect(isFirstResponse(agent, ticket({ requesterId: agent.id }), false)).toBe(false);
    expect(isFirstResponse(agent, ticket({ firstResponseAt: new Date(1) }), false)).toBe(false);
  });
});

describe('requesterReplyStatus', () => {
  it('when the requester answers a resolved ticket, then it reopens', () => {
    expect(requesterReplyStatus(customer, ticket({ status: 'resolved' }), false)).toBe('open');
  });

  it('when the requester answers a pending ticket, then it goes back to in_progress if assigned, else open', () => {
    expect(requesterReplyStatus(customer, ticket({ status: 'pending', assigneeId: agent.id }), false)).toBe(
      'in_progress',
    );
    expect(requesterReplyStatus(customer, ticket({ status: 'pending' }), false)).toBe('open');
  });

  it('when someone else comments, the comment is internal, or the status is another, then the status stays', () => {
    expect(requesterReplyStatus(agent, ticket({ status: 'resolved' }), false)).toBeNull();
    expect(requesterReplyStatus(customer, ticket({ status: 'resolved' }), true)).toBeNull();
    for (const status of ['open', 'assigned', 'in_progress', 'closed', 'cancelled'] as TicketStatus[]) {
      expect(requesterReplyStatus(customer, ticket({ status }), false)).toBeNull();
    }
  });
});
