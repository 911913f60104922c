import type { Role } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDto } from '../src/routes/ticket.dto.ts';
import { assign, expectProblem, expectStatus, moveThrough, newOrg, openTicket, people } from './fixtures.ts';
import { as, startTickets, type TestUser, type Tickets } from './harness.ts';

/*
 * DESIGN.md section 3 for tickets: who sees and does what, by role and org. Org A has two
 * customers, two agents and an admin; org B the same roles, whose ids mean nothing in org A.
 */

let t: Tickets;
let a: Awaited<ReturnType<typeof people>>;
let b: Awaited<ReturnType<typeof people>>;
/** Org A: `mine` and `mineToAgent` are the customer's, the other two the other customer's. */
const tk = {} as Record<'mine' | 'mineToAgent' | 'othersToOtherAgent' | 'othersUnassigned', TicketDto>;

beforeAll(async () => {
  t = await startTickets();
  [a, b] = await Promise.all([people(t, newOrg('a')), people(t, newOrg('b'))]);
  tk.mine = await openTicket(t, a.customer, { title: 'mine' });
  tk.mineToAgent = await openTicket(t, a.customer, { title: 'mine, to agent' });
  tk.othersToOtherAgent = await openTicket(t, a.otherCustomer, { title: 'others, to other agent' });
  tk.othersUnassigned = await openTicket(t, a.otherCustomer, { title: 'others, unassigned' });
  await assign(t, a.admin, tk.mineToAgent.id, a.agent.id);
  await assign(t, a.admin, tk.othersToOtherAgent.id, a.otherAgent.id);
  // Org B has a ticket too, so HD-000001 exists there and names B's own ticket.
  await openTicket(t, b.customer, { title: 'org b' });
});
afterAll(async () => {
  await t?.close();
});

const titles = async (who: TestUser) => {
  const reply = expectStatus(await as(t, who).get('/api/tickets/?limit=100'), 200);
  return reply.body.results.map((x: { title: string }) => x.title).sort();
};

describe('reading tickets by role', () => {
  it('when a customer lists and reads, then only their own tickets exist for them', async () => {
    expect(await titles(a.customer)).toEqual(['mine', 'mine, to agent']);
    for (const x of [tk.mine, tk.mineToAgent])
      expectStatus(await as(t, a.customer).get(`/api/tickets/${x.id}/`), 200);
    for (const x of [tk.othersToOtherAgent, tk.othersUnassigned]) {
      expectProblem(await as(t, a.customer).get(`/api/tickets/${x.id}/`), 404, 'TICKET_NOT_FOUND');
      expectProblem(await as(t, a.customer).get(`/api/tickets/${x.number}/`), 404, 'TICKET_NOT_FOUND');
      expectProblem(await as(t, a.customer).get(`/api/tickets/${x.id}/history/`), 404, 'TICKET_NOT_FOUND');
    }
  });

  it('when an agent lists and reads, then tickets assigned to them or to nobody exist for them', async () => {
    expect(await titles(a.agent)).toEqual(['mine', 'mine, to agent', 'others, unassigned']);
    expect(await titles(a.otherAgent)).toEqual(['mine', 'others, to other agent', 'others, unassigned']);
    expectProblem(
      await as(t, a.agent).get(`/api/tickets/${tk.othersToOtherAgent.id}/`),
      404,
      'TICKET_NOT_FOUND',
    );
    expectProblem(
      await as(t, a.agent).get(`/api/tickets/${tk.othersToOtherAgent.id}/history/`),
      404,
      'TICKET_NOT_FOUND',
    );
    expectProblem(
      await as(t, a.agent).post(`/api/tickets/${tk.othersToOtherAgent.id}/status/`, {
        status: 'in_progress',
      }),
      404,
      'TICKET_NOT_FOUND',
    );
    expectProblem(
      await as(t, a.agent).patch(`/api/tickets/${tk.othersToOtherAgent.id}/`, { title: 'taken over' }),
      404,
      'TICKET_NOT_FOUND',
    );
  });

  it('when an admin lists and reads, then every ticket of the org exists for them', async () => {
    expect(await titles(a.admin)).toEqual([
      'mine',
      'mine, to agent',
      'others, to other agent',
      'others, unassigned',
    ]);
    for (const x of Object.values(tk)) expectStatus(await as(t, a.admin).get(`/api/tickets/${x.id}/`), 200);
  });

  it('when nobody is signed in, then nothing is answered but 401', async () => {
    expectProblem(await as(t, undefined).get('/api/tickets/'), 401, 'AUTH_REQUIRED');
    expectProblem(await as(t, undefined).get(`/api/tickets/${tk.mine.id}/`), 401, 'AUTH_REQUIRED');
  });
});

describe('another org', () => {
  it('when anyone of org B lists, then only org B tickets appear', async () => {
    for (const who of [b.customer, b.agent, b.admin]) expect(await titles(who)).toEqual(['org b']);
    expect(await titles(b.otherCustomer)).toEqual([]);
  });

  it.each<[string, (x: typeof b) => TestUser]>([
    ['admin', (x) => x.admin],
    ['agent', (x) => x.agent],
    ['customer', (x) => x.customer],
  ])(
    "when org B's %s reads or writes an org A ticket, then it is 404 and nothing changes",
    async (_, pick) => {
      const who = pick(b);
      const api = as(t, who);
      for (const x of Object.values(tk)) {
        const before = (await as(t, a.admin).get(`/api/tickets/${x.id}/`)).body;
        expectProblem(await api.get(`/api/tickets/${x.id}/`), 404, 'TICKET_NOT_FOUND');
        expectProblem(await api.get(`/api/tickets/${x.id}/history/`), 404, 'TICKET_NOT_FOUND');
        expectProblem(
          await api.patch(`/api/tickets/${x.id}/`, { title: 'hijacked' }),
          404,
          'TICKET_NOT_FOUND',
        );
        // Even for roles that may never do these: a 403 would confirm that the ticket exists.
        const status = await api.post(`/api/tickets/${x.id}/status/`, { status: 'cancelled' });
        expectProblem(status, 404, 'TICKET_NOT_FOUND');
        const assigned = await api.post(`/api/tickets/${x.id}/assign/`, { assigned_to: b.agent.id });
        expectProblem(assigned, 404, 'TICKET_NOT_FOUND');
        const priority = await api.patch(`/api/tickets/${x.id}/`, { priority: 'critical' });
        expectProblem(priority, 404, 'TICKET_NOT_FOUND');
        expect((await as(t, a.admin).get(`/api/tickets/${x.id}/`)).body).toEqual(before);
      }
    },
  );

  it("when org B's customer asks for HD-000001, then they get org B's ticket, not org A's", async () => {
    const reply = expectStatus(await as(t, b.customer).get('/api/tickets/HD-000001/'), 200);
    expect(reply.body).toMatchObject({ title: 'org b', org_id: b.org });
  });

  it('when an org A admin assigns to an org B agent, then it is refused: not an agent of the org', async () => {
    const reply = await as(t, a.admin).post(`/api/tickets/${tk.mine.id}/assign/`, {
      assigned_to: b.agent.id,
    });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect((await as(t, a.admin).get(`/api/tickets/${tk.mine.id}/`)).body.assigned_to).toBeNull();
  });
});

describe('what each role may do', () => {
  it('when an admin assigns to a customer or an inactive agent, then it is a 400 and the ticket stays unassigned', async () => {
    const inactive = await t.user('agent', a.org, { active: false });
    for (const assignee of [a.customer.id, inactive.id, 'u-nobody']) {
      const reply = await as(t, a.admin).post(`/api/tickets/${tk.mine.id}/assign/`, {
        assigned_to: assignee,
      });
      expectProblem(reply, 400, 'VALIDATION_FAILED');
    }
    expect((await as(t, a.admin).get(`/api/tickets/${tk.mine.id}/`)).body).toMatchObject({
      assigned_to: null,
      version: tk.mine.version,
    });
  });

  it('when a customer changes the status or assigns their own ticket, then it is 403', async () => {
    const api = as(t, a.customer);
    expectProblem(
      await api.post(`/api/tickets/${tk.mine.id}/status/`, { status: 'resolved' }),
      403,
      'TICKET_FORBIDDEN',
    );
    expectProblem(
      await api.post(`/api/tickets/${tk.mine.id}/assign/`, { assigned_to: a.agent.id }),
      403,
      'TICKET_FORBIDDEN',
    );
    expect((await api.get(`/api/tickets/${tk.mine.id}/`)).body).toMatchObject({
      status: 'open',
      assigned_to: null,
    });
  });

  it('when an agent assigns, even to themselves, then it is 403', async () => {
    for (const assignee of [a.agent.id, a.otherAgent.id, null]) {
      const reply = await as(t, a.agent).post(`/api/tickets/${tk.mineToAgent.id}/assign/`, {
        assigned_to: assignee,
      });
      expectProblem(reply, 403, 'TICKET_FORBIDDEN');
    }
    expect((await as(t, a.admin).get(`/api/tickets/${tk.mineToAgent.id}/`)).body.assigned_to).toBe(
      a.agent.id,
    );
  });

  it('when a customer edits their open ticket, then title and description change; after that it is 403', async () => {
    const own = await openTicket(t, a.customer, { title: 'draft' });
    const edited = await as(t, a.customer).patch(`/api/tickets/${own.id}/`, {
      title: 'final',
      description: 'more',
    });
    expect(expectStatus(edited, 200).body).toMatchObject({ title: 'final', description: 'more', version: 2 });
    await moveThrough(t, a.admin, own.id, 'in_progress');
    const late = await as(t, a.customer).patch(`/api/tickets/${own.id}/`, { title: 'too late' });
    expectProblem(late, 403, 'TICKET_FORBIDDEN');
    expect((await as(t, a.customer).get(`/api/tickets/${own.id}/`)).body.title).toBe('final');
  });

  it("when a customer edits, moves or assigns someone else's ticket, then it does not exist for them", async () => {
    const path = `/api/tickets/${tk.othersUnassigned.id}/`;
    const api = as(t, a.customer);
    expectProblem(await api.patch(path, { title: 'mine now' }), 404, 'TICKET_NOT_FOUND');
    expectProblem(await api.patch(path, { priority: 'low' }), 404, 'TICKET_NOT_FOUND');
    expectProblem(await api.post(`${path}status/`, { status: 'cancelled' }), 404, 'TICKET_NOT_FOUND');
    expectProblem(await api.post(`${path}assign/`, { assigned_to: a.agent.id }), 404, 'TICKET_NOT_FOUND');
  });

  it('when an agent assigns a ticket they may not see, then it does not exist for them', async () => {
    const reply = await as(t, a.agent).post(`/api/tickets/${tk.othersToOtherAgent.id}/assign/`, {
      assigned_to: a.agent.id,
    });
    expectProblem(reply, 404, 'TICKET_NOT_FOUND');
  });

  it('when a customer changes the priority, then it is 403; staff may; on opening, System A customers choose it', async () => {
    const own = await openTicket(t, a.customer, { priority: 'high' });
    expect(own.priority).toBe('high');
    expectProblem(
      await as(t, a.customer).patch(`/api/tickets/${own.id}/`, { priority: 'critical' }),
      403,
      'TICKET_FORBIDDEN',
    );
    const byAgent = await as(t, a.agent).patch(`/api/tickets/${own.id}/`, { priority: 'high' });
    expect(expectStatus(byAgent, 200).body.priority).toBe('high');
  });

  it('when staff open a ticket for a user, then the user is the requester and sees it', async () => {
    for (const staff of [a.agent, a.admin]) {
      const created = await openTicket(t, staff, {
        title: `for customer by ${staff.role}`,
        created_by: a.customer.id,
      });
      expect(created.created_by).toBe(a.customer.id);
      expectStatus(await as(t, a.customer).get(`/api/tickets/${created.id}/`), 200);
    }
  });

  it.each<[string, Role]>([
    ['another customer', 'user'],
    ['a user of another org', 'user'],
  ])(
    'when a customer opens a ticket for %s, then it is a 400 on created_by and nothing is created',
    async (label) => {
      const target = label.includes('org') ? b.customer.id : a.otherCustomer.id;
      const before = await titles(a.admin);
      const reply = await as(t, a.customer).post('/api/tickets/', { title: 'on behalf', created_by: target });
      expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(reply.body.errors).toEqual([expect.objectContaining({ path: 'created_by' })]);
      expect(await titles(a.admin)).toEqual(before);
    },
  );

  it('when staff open a ticket for someone of another org, then it is a 400', async () => {
    const reply = await as(t, a.admin).post('/api/tickets/', { title: 'x', created_by: b.customer.id });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
  });
});

describe('no mass assignment', () => {
  it.each([
    ['org_id', { org_id: 'other' }],
    ['status', { status: 'resolved' }],
    ['number', { number: 'HD-999999' }],
    ['version', { version: 99 }],
    ['assigned_to', { assigned_to: 'someone' }],
    ['resolved_at', { resolved_at: '2030-01-01T00:00:00Z' }],
    ['escalation_level', { escalation_level: 3 }],
    ['id', { id: 'chosen' }],
  ])(
    'when a POST body carries %s, then it is a 400 naming it and no ticket is created',
    async (field, extra) => {
      const who = await people(t);
      const reply = await as(t, who.admin).post('/api/tickets/', { title: 'sneaky', ...extra });
      expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(reply.body.errors)).toContain(field);
      expect(await titles(who.admin)).toEqual([]);
      // The refused request took no number.
      expect((await openTicket(t, who.admin)).number).toBe('HD-000001');
    },
  );

  it.each([
    ['org_id', { org_id: 'other' }],
    ['status', { status: 'resolved' }],
    ['number', { number: 'HD-999999' }],
    ['version', { version: 99 }],
    ['created_by', { created_by: 'someone' }],
    ['assigned_to', { assigned_to: 'someone' }],
    ['reopen_count', { reopen_count: 5 }],
  ])(
    'when a PATCH body carries %s, then it is a 400 naming it and the ticket is unchanged',
    async (field, extra) => {
      const before = (await as(t, a.admin).get(`/api/tickets/${tk.mine.id}/`)).body;
      for (const who of [a.customer, a.admin]) {
        const reply = await as(t, who).patch(`/api/tickets/${tk.mine.id}/`, { title: 'sneaky', ...extra });
        expectProblem(reply, 400, 'VALIDATION_FAILED');
        expect(JSON.stringify(reply.body.errors)).toContain(field);
      }
      expect((await as(t, a.admin).get(`/api/tickets/${tk.mine.id}/`)).body).toEqual(before);
    },
  );
});
