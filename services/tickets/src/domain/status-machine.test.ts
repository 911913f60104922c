import { TICKET_STATUSES } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { EXPECTED_TRANSITIONS } from '../../test/status-table.ts';
import { ACTIVE_STATUSES, allowedTransitions, canTransition, isFinal, isReopen } from './status-machine.ts';

const EXPECTED = EXPECTED_TRANSITIONS;

const pairs = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => EXPECTED[from].includes(to));
const forbidden = pairs.filter(([from, to]) => !EXPECTED[from].includes(to));

describe('ticket status machine', () => {
  it('when every pair of the 7 statuses is checked, then 20 are allowed and 29 forbidden', () => {
    expect(TICKET_STATUSES).toHaveLength(7);
    expect(allowed).toHaveLength(20);
    expect(forbidden).toHaveLength(29);
  });

  it.each(allowed)('when a ticket goes from %s to %s, then the transition is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(allowedTransitions(from)).toContain(to);
  });

  it.each(forbidden)('when a ticket goes from %s to %s, then the transition is forbidden', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(allowedTransitions(from)).not.toContain(to);
  });

  it.each(TICKET_STATUSES)(
    'when the allowed targets of %s are listed, then they are the documented ones',
    (from) => {
      expect([...allowedTransitions(from)].sort()).toEqual([...EXPECTED[from]].sort());
    },
  );

  it('when a status has no way out, then it is final: closed and cancelled only', () => {
    expect(TICKET_STATUSES.filter(isFinal)).toEqual(['closed', 'cancelled']);
  });

  it('when a resolved ticket goes back to open, then that alone is a reopen', () => {
    expect(pairs.filter(([from, to]) => isReopen(from, to))).toEqual([['resolved', 'open']]);
  });

  it('when the work load is counted, then the active statuses are open, assigned, in_progress, pending', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(['assigned', 'in_progress', 'open', 'pending']);
  });
});
