import { decodeCursor, ValidationError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { aTicket, fakeDeps, InMemoryTickets } from '../../test/in-memory-tickets.ts';
import type { Caller } from '../domain/access.ts';
import type { HistoryEntry } from '../domain/ticket.ts';
import { TicketNotFoundError } from '../domain/tickets.errors.ts';
import { getTicketHistory, type HistoryPage } from './get-ticket-history.ts';

const customer: Caller = { id: 'cust-1', orgId: 'org-a', role: 'user' };
const agent: Caller = { id: 'agent-1', orgId: 'org-a', role: 'agent' };

const entry = (n: number, internal = false): HistoryEntry => ({
  at: new Date(Date.UTC(2030, 0, 1, 0, n)),
  actorId: 'agent-1',
  actorRole: 'agent',
  field: `f${n}`,
  old: null,
  new: n,
  internal,
});

const INTERNAL = [3, 4, 8];

/** Ten entries, f0..f9; f3, f4 and f8 came from internal notes (left out with `withNotes: false`). */
async function setup({ withNotes = true } = {}) {
  const tickets = new InMemoryTickets();
  const history = Array.from({ length: 10 }, (_, n) => entry(n, INTERNAL.includes(n))).filter(
    (h) => withNotes || !h.internal,
  );
  await tickets.insert(aTicket(), history, []);
  return fakeDeps(tickets).deps;
}

/** Every page, following `next`: the field names per page and every `next` handed out. */
async function pagesOf(deps: Awaited<ReturnType<typeof setup>>, caller: Caller, limit: number) {
  const pages: string[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  do {
    const page: HistoryPage = await getTicketHistory(deps, caller, 'HD-000001', { limit, cursor });
    pages.push(page.results.map((h) => h.field));
    cursors.push(page.next);
    cursor = page.next ?? undefined;
  } while (cursor);
  return { pages, cursors };
}

const walk = async (...args: Parameters<typeof pagesOf>) => (await pagesOf(...args)).pages;

describe('getTicketHistory', () => {
  it('when staff page through the history, then they see every entry once, oldest first', async () => {
    const deps = await setup();
    expect(await walk(deps, agent, 4)).toEqual([
      ['f0', 'f1', 'f2', 'f3'],
      ['f4', 'f5', 'f6', 'f7'],
      ['f8', 'f9'],
    ]);
  });

  it('when the requester pages through, then internal entries are skipped and pages stay full', async () => {
    const deps = await setup();
    expect(await walk(deps, customer, 3)).toEqual([['f0', 'f1', 'f2'], ['f5', 'f6', 'f7'], ['f9']]);
  });

  it.each([1, 2, 3, 4])(
    'when the requester pages %i at a time, then pages and cursors are those of the same history without notes',
    async (limit) => {
      const withNotes = await pagesOf(await setup(), customer, limit);
      const without = await pagesOf(await setup({ withNotes: false }), customer, limit);
      expect(withNotes).toEqual(without);
      // Positions among the visible entries only: nothing in a cursor counts the notes.
      const positions = withNotes.cursors.flatMap((c) => (c === null ? [] : [decodeCursor(c)]));
      expect(positions).toEqual(
        Array.from({ length: Math.ceil(7 / limit) - 1 }, (_, i) => ({ p: (i + 1) * limit })),
      );
    },
  );

  it('when the last page ends exactly at the last visible entry, then it has no next cursor', async () => {
    const deps = await setup();
    expect(await walk(deps, customer, 7)).toEqual([['f0', 'f1', 'f2', 'f5', 'f6', 'f7', 'f9']]);
  });

  it('when someone who may not see the ticket asks, then the ticket does not exist for them', async () => {
    const deps = await setup();
    for (const c of [
      { id: 'cust-2', orgId: 'org-a', role: 'user' },
      { id: 'agent-1', orgId: 'org-b', role: 'agent' },
    ] as Caller[]) {
      await expect(getTicketHistory(deps, c, 'ticket-1', { limit: 10 })).rejects.toBeInstanceOf(
        TicketNotFoundError,
      );
    }
  });

  it.each([
    ['not base64 json', '%%%'],
    ['a negative position', Buffer.from('{"p":-1}').toString('base64url')],
    ['a fractional position', Buffer.from('{"p":1.5}').toString('base64url')],
    ['a position that is text', Buffer.from('{"p":"3"}').toString('base64url')],
  ])('when the cursor is %s, then it is refused as not ours', async (_, cursor) => {
    const deps = await setup();
    await expect(getTicketHistory(deps, agent, 'ticket-1', { limit: 10, cursor })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
