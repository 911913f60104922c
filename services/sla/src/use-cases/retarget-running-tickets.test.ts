import { describe, expect, it } from 'vitest';
import { retargetRunningTickets } from './retarget-running-tickets.ts';

describe('retargetRunningTickets', () => {
  it('when an org has open tickets, then each running workflow is signalled once, a few at a time, and failures are reported', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `t-${i}`);
    const signalled: string[] = [];
    const failed: string[] = [];
    let inFlight = 0;
    let most = 0;
    const count = await retargetRunningTickets(
      {
        openTickets: { openIds: async () => ids, fields: async () => null },
        signals: {
          async policyChanged(id, at) {
            expect(at).toBe('2026-03-01T10:00:00.000Z');
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((r) => setImmediate(r));
            inFlight--;
            if (id === 't-3') throw new Error('temporal down');
            if (id === 't-4') return 'not_running';
            signalled.push(id);
            return 'signalled';
          },
        },
        clock: () => new Date('2026-03-01T10:00:00Z'),
        retargetConcurrency: 4,
        onRetargetError: (id) => void failed.push(id),
      },
      'org-1',
    );
    expect(count).toBe(23);
    expect(signalled.sort()).toEqual(ids.filter((id) => id !== 't-3' && id !== 't-4').sort());
    expect(failed).toEqual(['t-3']);
    expect(most).toBe(4);
  });

  it('when the org has no open tickets, then nothing is signalled', async () => {
    const count = await retargetRunningTickets(
      {
        openTickets: { openIds: async () => [], fields: async () => null },
        signals: { policyChanged: async () => expect.unreachable() },
        clock: () => new Date(),
      },
      'org-1',
    );
    expect(count).toBe(0);
  });
});
