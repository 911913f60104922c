import { describe, expect, it } from 'vitest';
import {
  type Caller,
  callerOf,
  canAssign,
  canChangeStatus,
  canEditFields,
  canSee,
  canSeeInternal,
  canWriteInternal,
  visibilityFilter,
} from './access.ts';
import { newTicket, type Ticket } from './ticket.ts';

const at = new Date('2030-01-01T00:00:00Z');
const ticket = (over: Partial<Ticket>): Ticket => ({
  ...newTicket({ id: 't', orgId: 'org-a', number: 1, title: 'x', requesterId: 'cust-1' }, at),
  ...over,
});

const customer: Caller = { id: 'cust-1', orgId: 'org-a', role: 'user' };
const otherCustomer: Caller = { id: 'cust-2', orgId: 'org-a', role: 'user' };
const agent: Caller = { id: 'agent-1', orgId: 'org-a', role: 'agent' };
const admin: Caller = { id: 'admin-1', orgId: 'org-a', role: 'admin' };
const adminB: Caller = { id: 'admin-b', orgId: 'org-b', role: 'admin' };
const agentB: Caller = { id: 'agent-1', orgId: 'org-b', role: 'agent' };
const customerB: Caller = { id: 'cust-1', orgId: 'org-b', role: 'user' };

const tickets = {
  ownUnassigned: ticket({ id: 'own-unassigned' }),
  ownToAgent: ticket({ id: 'own-to-agent', assigneeId: 'agent-1', status: 'assigned' }),
  othersToOtherAgent: ticket({ id: 'others-to-other', requesterId: 'cust-2', assigneeId: 'agent-2' }),
  othersUnassigned: ticket({ id: 'others-unassigned', requesterId: 'cust-2' }),
  otherOrg: ticket({ id: 'other-org', orgId: 'org-b', requesterId: 'cust-1', assigneeId: null }),
};
const all = Object.values(tickets);

/** Evaluates the filter the way MongoDB does for equality and `$in` (a missing field is null). */
function matches(filter: Record<string, unknown>, t: Ticket): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    const value = (t as unknown as Record<string, unknown>)[key] ?? null;
    if (cond && typeof cond === 'object' && '$in' in cond) return (cond.$in as unknown[]).includes(value);
    return value === cond;
  });
}

const seenBy = (c: Caller) =>
  all
    .filter((t) => canSee(c, t))
    .map((t) => t.id)
    .sort();

describe('who sees which ticket', () => {
  it('when a customer looks, then only their own tickets of their org are visible', () => {
    expect(seenBy(customer)).toEqual(['own-to-agent', 'own-unassigned']);
    expect(seenBy(otherCustomer)).toEqual(['others-to-other', 'others-unassigned']);
  });

  it('when an agent looks, then tickets assigned to them or to nobody in their org are visible', () => {
    expect(seenBy(agent)).toEqual(['others-unassigned', 'own-to-agent', 'own-unassigned']);
  });

  it('when an admin looks, then every ticket of the org and none of another is visible', () => {
    expect(seenBy(admin)).toEqual(['others-to-other', 'others-unassigned', 'own-to-agent', 'own-unassigned']);
  });

  it('when callers of another org with the same ids look, then they see only that org', () => {
    expect(seenBy(adminB)).toEqual(['other-org']);
    expect(seenBy(agentB)).toEqual(['other-org']);
    expect(seenBy(customerB)).toEqual(['other-org']);
  });

  it.each([
    ['customer', customer],
    ['other customer', otherCustomer],
    ['agent', agent],
    ['admin', admin],
    ['admin of org b', adminB],
    ['agent of org b', agentB],
    ['customer of org b', customerB],
  ])('when the %s lists tickets, then the query filter selects exactly what canSee allows', (_, c) => {
    const filter = visibilityFilter(c);
    expect(filter.orgId).toBe(c.orgId);
    for (const t of all) expect(matches(filter, t), t.id).toBe(canSee(c, t));
  });
});

describe('who does what', () => {
  it('when a customer edits their ticket, then only while it is open', () => {
    expect(canEditFields(customer, tickets.ownUnassigned)).toBe(true);
    for (const status of ['assigned', 'in_progress', 'pending', 'resolved', 'closed', 'cancelled'] as const) {
      expect(canEditFields(customer, ticket({ status })), status).toBe(false);
    }
    expect(canEditFields(otherCustomer, tickets.ownUnassigned)).toBe(false);
  });

  it('when staff edit, then the status does not matter', () => {
    for (const c of [agent, admin]) expect(canEditFields(c, ticket({ status: 'resolved' }))).toBe(true);
  });

  it('when the role decides, then only admins assign and only staff change status or handle internal notes', () => {
    const rows = [customer, agent, admin].map((c) => [
      c.role,
      canAssign(c),
      canChangeStatus(c),
      canWriteInternal(c),
      canSeeInternal(c),
    ]);
    expect(rows).toEqual([
      ['user', false, false, false, false],
      ['agent', false, true, true, true],
      ['admin', true, true, true, true],
    ]);
  });

  it("when a token's principal is read, then its subject, org and role make the caller", () => {
    const principal = { sub: 'u1', org: 'o1', role: 'agent', jti: 'j', sid: 's', iat: 0, exp: 1 } as const;
    expect(callerOf(principal)).toEqual({
      id: 'u1',
      orgId: 'o1',
      role: 'agent',
    });
  });
});
