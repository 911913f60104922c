import type { Priority } from '@helpdesk/contracts';
import type { Caller } from '../domain/access.ts';
import { newTicket, normalizeTags, type Ticket } from '../domain/ticket.ts';
import type { TicketsDeps } from './deps.ts';
import { actorOf } from './mutate-ticket.ts';
import { checkCategory, resolveRequester } from './ticket-checks.ts';
import { ticketEvents } from './ticket-events.ts';

export interface CreateTicketInput {
  title: string;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priority?: Priority | undefined;
  tags?: string[] | undefined;
  /** Staff create on behalf of a user; a customer's own id is the only one they may give. */
  requesterId?: string | undefined;
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
  const auto = await deps.autoAssign(draft);
  const ticket: Ticket = auto
    ? { ...draft, assigneeId: auto.assigneeId, status: 'assigned', version: 3 }
    : draft;
  ticket.number = await deps.tickets.nextNumber(caller.orgId);

  const actor = actorOf(caller);
  const planned = [
    ticketEvents.created(),
    // As a manual assignment does: the assignee, then the status it implies (open → assigned).
    ...(auto
      ? [
          ticketEvents.assigned(null, 'rule', auto.ruleId),
          ticketEvents.statusChanged('open', 'assigned', false),
        ]
      : []),
  ];
  const events = planned.map((e, i) =>
    deps.events.envelope({
      type: e.type,
      orgId: ticket.orgId,
      aggregateId: ticket.id,
      sequence: i + 1,
      actor,
      occurredAt: now,
      data: e.data(ticket),
      ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    }),
  );
  const base = { at: now, actorId: caller.id, actorRole: caller.role, internal: false } as const;
  const history = [
    { ...base, field: 'created', old: null, new: ticket.number },
    ...(auto
      ? [
          { ...base, actorRole: 'system' as const, field: 'assigneeId', old: null, new: auto.assigneeId },
          { ...base, actorRole: 'system' as const, field: 'status', old: 'open', new: 'assigned' },
        ]
      : []),
  ];
  await deps.tickets.insert(ticket, history, events);
  deps.events.kick({ ticketId: ticket.id });
  return ticket;
}
