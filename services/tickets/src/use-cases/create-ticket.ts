import { type Priority, TicketEvents } from '@helpdesk/contracts';
import { type Caller, canAssign } from '../domain/access.ts';
import { newTicket, normalizeTags, type Ticket, toSnapshot } from '../domain/ticket.ts';
import { TicketForbiddenError } from '../domain/tickets.errors.ts';
import { assignmentPlan, checkAssignee } from './assign-ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { actorOf, buildChange } from './mutate-ticket.ts';
import { checkCategory, resolveRequester } from './ticket-checks.ts';

export interface CreateTicketInput {
  title: string;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priority?: Priority | undefined;
  tags?: string[] | undefined;
  /** Staff create on behalf of a user; a customer's own id is the only one they may give. */
  requesterId?: string | undefined;
  /** Admins may assign at once (System B); checked like `POST /api/tickets/{id}/assign/`. */
  assigneeId?: string | undefined;
}

/**
 * Creates a ticket: checks the category and the requester, runs the assignment rules, takes the
 * org's next number only once nothing can fail any more (so numbers have no gaps), and writes the
 * ticket with its history and events at once.
 */
export async function createTicket(
  deps: TicketsDeps,
  caller: Caller,
  input: CreateTicketInput,
  opts: { correlationId?: string | undefined } = {},
): Promise<Ticket> {
  if (input.assigneeId !== undefined) {
    if (!canAssign(caller)) throw new TicketForbiddenError('Only admins assign tickets.');
    await checkAssignee(deps, caller.orgId, input.assigneeId);
  }
  const categoryId = input.categoryId ?? null;
  await checkCategory(deps, caller.orgId, categoryId);
  const requesterId = await resolveRequester(deps, caller, input.requesterId);

  const now = deps.clock();
  const draft = newTicket(
    {
      id: deps.newId(),
      orgId: caller.orgId,
      number: 0,
      title: input.title,
      description: input.description,
      categoryId,
      priority: input.priority,
      requesterId,
      tags: normalizeTags(input.tags ?? []),
    },
    now,
  );
  // An assignee given by an admin (System B's POST) wins; otherwise the rules may pick one.
  const assignment = input.assigneeId
    ? { assigneeId: input.assigneeId, via: 'manual' as const, ruleId: null }
    : await deps.autoAssign(draft).then((a) => (a ? { ...a, via: 'rule' as const } : null));
  draft.number = await deps.tickets.nextNumber(caller.orgId);

  const opened = deps.events.envelope({
    type: TicketEvents.Created,
    orgId: draft.orgId,
    aggregateId: draft.id,
    sequence: draft.version,
    actor: actorOf(caller),
    occurredAt: now,
    data: { ticket: toSnapshot(draft) },
    ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
  });
  const created = { at: now, actorId: caller.id, actorRole: caller.role, internal: false } as const;
  // The assignment is a change of its own (its events follow `ticket.created`), written with it.
  const plan =
    assignment && assignmentPlan(draft, assignment.assigneeId, now, assignment.via, assignment.ruleId);
  const acting =
    assignment?.via === 'rule'
      ? { kind: 'system' as const, id: 'assignment-rules', orgId: caller.orgId }
      : caller;
  const { after: ticket, change } = plan
    ? buildChange(deps, acting, draft, { ...plan, internal: false }, now, opts)
    : { after: draft, change: { events: [], history: [] } };
  // Opening and its assignment are one change for customers.
  ticket.publicVersion = draft.publicVersion;
  const history = [{ ...created, field: 'created', old: null, new: draft.number }, ...change.history];
  const events = [opened, ...change.events];
  const { outbox } = await deps.tickets.insert(ticket, history, events);
  deps.events.kick({ ticketId: ticket.id, outbox });
  return ticket;
}
