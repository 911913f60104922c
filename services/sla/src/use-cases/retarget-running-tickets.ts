import type { SlaConfigDeps } from './config-ports.ts';

const DEFAULT_CONCURRENCY = 10;

/**
 * A policy change with `apply_to: running_tickets`: every open ticket's workflow gets
 * `policyChanged`, resolves its policy again and retargets (elapsed and paused time kept, ended
 * clocks unchanged). Signals go out a few at a time. A ticket whose signal fails is reported and
 * skipped: the policy is saved already, and that ticket picks it up at its next priority or
 * category change. Returns how many workflows were signalled.
 */
export async function retargetRunningTickets(
  deps: Pick<SlaConfigDeps, 'openTickets' | 'signals' | 'clock' | 'retargetConcurrency' | 'onRetargetError'>,
  orgId: string,
): Promise<number> {
  const ids = await deps.openTickets.openIds(orgId);
  const at = deps.clock().toISOString();
  let next = 0;
  let signalled = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i] as string;
      try {
        if ((await deps.signals.policyChanged(id, at)) === 'signalled') signalled++;
      } catch (err) {
        deps.onRetargetError?.(id, err);
      }
    }
  };
  const n = Math.max(1, Math.min(deps.retargetConcurrency ?? DEFAULT_CONCURRENCY, ids.length));
  await Promise.all(Array.from({ length: n }, worker));
  return signalled;
}
