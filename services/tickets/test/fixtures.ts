import { expect } from 'vitest';
import type { TicketDto } from '../src/routes/ticket.dto.ts';
import { as, type Reply, type TestUser, type Tickets } from './harness.ts';

let orgs = 0;

/** A fresh org id, so a test's tickets and numbers are its own. */
export const newOrg = (label = 'org') => `${label}-${Date.now().toString(36)}-${orgs++}`;

/** Expects `reply` to have `status`; on a mismatch the failure shows the body. */
export function expectStatus(reply: Reply, status: number): Reply {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status });
  return reply;
}

/** Expects a problem+json answer with this status and code. */
export function expectProblem(reply: Reply, status: number, code: string): Reply {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return reply;
}

/** Opens a ticket as `who` and returns its DTO. */
export async function openTicket(
  t: Tickets,
  who: TestUser,
  body: Record<string, unknown> = {},
): Promise<TicketDto> {
  const reply = await as(t, who).post('/api/tickets/', { title: 'Printer on fire', ...body });
  return expectStatus(reply, 201).body;
}

/** Assigns as `admin` (the assignee must be staff known to the service). */
export async function assign(t: Tickets, admin: TestUser, id: string, assignee: string | null) {
  return expectStatus(await as(t, admin).post(`/api/tickets/${id}/assign/`, { assigned_to: assignee }), 200)
    .body;
}

/** Moves a ticket through `statuses` in order as `staff`. */
export async function moveThrough(t: Tickets, staff: TestUser, id: string, ...statuses: string[]) {
  let body: unknown;
  for (const status of statuses) {
    body = expectStatus(await as(t, staff).post(`/api/tickets/${id}/status/`, { status }), 200).body;
  }
  return body;
}

/** Everyone a ticket test needs in one org: a customer, two agents and an admin, all known to the service. */
export async function people(t: Tickets, org = newOrg()) {
  const [customer, otherCustomer, agent, otherAgent, admin] = await Promise.all([
    t.user('user', org),
    t.user('user', org),
    t.user('agent', org),
    t.user('agent', org),
    t.user('admin', org),
  ]);
  return { org, customer, otherCustomer, agent, otherAgent, admin };
}
