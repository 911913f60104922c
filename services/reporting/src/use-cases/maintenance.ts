import { applyOrRelease } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import type { PendingOp } from './ports.ts';
import { leaseEnd } from './project-tickets.ts';
import { abandonGeneration, STALE_BUILD_MS } from './rebuild-projections.ts';

const SWEEP_LIMIT = 200;

export interface MaintenanceResult {
  /** Rebuilds abandoned because their heartbeat stopped. */
  abandoned: { orgId: string; gen: number }[];
  /** Pending ops finished for facts no delivery came back to. */
  finished: number;
  /** Ops whose write failed again; the next sweep tries them again. */
  failed: number;
}

/**
 * Run at start-up and then every so often. A rebuild whose process died leaves `building` set
 * (every live event would be written twice, and rebuilds refused) until it is abandoned here.
 * A pending op whose lease ran out is one whose delivery gave up (dead-lettered, say): without
 * this its delta would stay out of the buckets until the ticket's next event.
 */
export async function runMaintenance(deps: ReportingDeps): Promise<MaintenanceResult> {
  const stale = await deps.settings.staleBuilds(new Date(deps.clock().getTime() - STALE_BUILD_MS));
  for (const b of stale) await abandonGeneration(deps, b.orgId, b.gen);

  let finished = 0;
  let failed = 0;
  const expired = await deps.facts.expiredOps(Date.now(), SWEEP_LIMIT);
  for (const f of expired) {
    const pending = { ...(f.pending as PendingOp), leaseUntil: leaseEnd(deps) };
    if (!(await deps.facts.takeOver(f._id, f.rev, pending.opId, pending.leaseUntil))) continue;
    try {
      await applyOrRelease(deps, { orgId: f.orgId, gen: f.gen }, [{ factId: f._id, pending }]);
      finished += 1;
    } catch {
      failed += 1;
    }
  }
  return { abandoned: stale, finished, failed };
}
