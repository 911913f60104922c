import {
  type Actor,
  CategoryEvents,
  type CategorySnapshot,
  type Envelope,
  type Priority,
  TicketEvents,
  type TicketSnapshot,
  type TicketStatus,
} from '@helpdesk/contracts';
import { makeEnvelope } from '@helpdesk/messaging';
import { v7 as uuidv7 } from 'uuid';
import type { TestUser } from './harness.ts';

let numbers = 0;

const actorOf = (who: TestUser | 'system'): Actor =>
  who === 'system' ? { type: 'system', id: 'sla' } : { type: 'user', id: who.id, role: who.role };

/**
 * A ticket's life as the tickets service tells it in events: each change bumps the version, which
 * is also the event's `sequence`, and every event carries the ticket as it is after the change.
 */
export function ticketStory(
  requester: TestUser,
  over: { priority?: Priority; categoryId?: string | null; assigneeId?: string | null } = {},
) {
  const now = new Date().toISOString();
  const ticket: TicketSnapshot = {
    id: uuidv7(),
    orgId: requester.orgId,
    number: ++numbers,
    key: `HD-${String(numbers).padStart(6, '0')}`,
    title: 'Printer on fire',
    categoryId: over.categoryId ?? null,
    priority: over.priority ?? 'medium',
    status: 'open',
    requesterId: requester.id,
    assigneeId: over.assigneeId ?? null,
    tags: [],
    createdAt: now,
    updatedAt: now,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    escalationLevel: 0,
    reopenCount: 0,
    publicCommentCount: 0,
    version: 1,
  };
  const event = <T>(type: string, who: TestUser | 'system', data: (t: TicketSnapshot) => T): Envelope<T> =>
    makeEnvelope({
      type,
      orgId: ticket.orgId,
      aggregateId: ticket.id,
      sequence: ticket.version,
      actor: actorOf(who),
      occurredAt: new Date(ticket.updatedAt),
      data: data({ ...ticket, tags: [...ticket.tags] }),
    });
  const change = (set: Partial<TicketSnapshot>) => {
    Object.assign(ticket, set, { version: ticket.version + 1, updatedAt: new Date().toISOString() });
  };

  return {
    ticket,
    created: () => event(TicketEvents.Created, requester, (t) => ({ ticket: t })),
    statusChanged(who: TestUser | 'system', to: TicketStatus, opts: { reopened?: boolean } = {}) {
      const from = ticket.status;
      change({ status: to, ...(to === 'closed' ? { closedAt: new Date().toISOString() } : {}) });
      return event(TicketEvents.StatusChanged, who, (t) => ({
        ticket: t,
        from,
        to,
        reopened: opts.reopened ?? false,
      }));
    },
    assigned(who: TestUser | 'system', assigneeId: string | null, via: 'manual' | 'rule' | 'escalation') {
      const previousAssigneeId = ticket.assigneeId;
      change({ assigneeId, ...(ticket.status === 'open' ? { status: 'assigned' as const } : {}) });
      return event(TicketEvents.Assigned, who, (t) => ({ ticket: t, previousAssigneeId, via, ruleId: null }));
    },
    updated(
      who: TestUser | 'system',
      set: Partial<Pick<TicketSnapshot, 'priority' | 'title' | 'categoryId'>>,
    ) {
      const changes = Object.entries(set).map(([field, value]) => ({
        field,
        old: ticket[field as keyof TicketSnapshot],
        new: value,
      }));
      change(set);
      return event(TicketEvents.Updated, who, (t) => ({ ticket: t, changes }));
    },
    commented(who: TestUser, opts: { internal?: boolean } = {}) {
      const staff = who.role !== 'user';
      const first = staff && !opts.internal && ticket.firstResponseAt === null;
      const at = new Date().toISOString();
      change({
        ...(first ? { firstResponseAt: at } : {}),
        publicCommentCount: ticket.publicCommentCount + (opts.internal ? 0 : 1),
      });
      return event(TicketEvents.CommentAdded, who, (t) => ({
        ticket: t,
        comment: {
          id: uuidv7(),
          parentId: null,
          authorId: who.id,
          authorRole: who.role,
          visibility: opts.internal ? ('internal' as const) : ('public' as const),
          createdAt: at,
        },
        firstResponse: first,
      }));
    },
  };
}
export type TicketStory = ReturnType<typeof ticketStory>;

/** `category.created` as the tickets service publishes it. */
export function categoryCreated(
  orgId: string,
  defaultSlaHours: number | null,
): Envelope<{ category: CategorySnapshot }> {
  const now = new Date().toISOString();
  const category: CategorySnapshot = {
    id: uuidv7(),
    orgId,
    name: `Category ${++numbers}`,
    description: '',
    defaultSlaHours,
    active: true,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  return makeEnvelope({
    type: CategoryEvents.Created,
    orgId,
    aggregateId: category.id,
    sequence: 1,
    actor: { type: 'user', id: 'u-admin', role: 'admin' },
    data: { category },
  });
}
