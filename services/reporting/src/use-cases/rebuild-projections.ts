import { RebuildInProgressError } from '../domain/reports.errors.ts';
import { parseEvent } from '../domain/ticket-facts.ts';
import type { ReportingDeps } from './deps.ts';
import { groupByTicket } from './ingest-events.ts';
import { projectTickets } from './project-tickets.ts';

/** A rebuild that has not finished in this long is taken to have died with its process. */
export const STALE_BUILD_MS = 15 * 60_000;
const BATCH = 500;

export interface RebuildResult {
  orgs: { org_id: string; events: number; generation: number; time_zone: string }[];
}

/**
 * Rebuilds projections from the raw event log into a new generation and then makes it live.
 * Events arriving meanwhile are not lost: from the moment the new generation is claimed, live
 * ingestion writes to both generations, and the log replay covers everything stored before
 * (ingestion stores an event before it reads the settings). Applying an event twice to the new
 * generation changes nothing, as everywhere. `tz` rebuilds in that zone (a settings change).
 */
export async function rebuildProjections(
  deps: ReportingDeps,
  opts: { orgId?: string; tz?: string } = {},
): Promise<RebuildResult> {
  const orgIds = opts.orgId
    ? [opts.orgId]
    : [...new Set([...(await deps.rawEvents.orgIds()), ...(await deps.settings.orgIds())])].sort();
  const result: RebuildResult = { orgs: [] };
  for (const orgId of orgIds) {
    const current = await deps.settings.get(orgId);
    const tz = opts.tz ?? current.building?.tz ?? current.tz;
    const building = await deps.settings.claimBuild(orgId, tz, deps.clock(), STALE_BUILD_MS);
    if (!building) throw new RebuildInProgressError(orgId);
    const target = { orgId, gen: building.gen, tz: building.tz };
    let events = 0;
    try {
      for await (const batch of deps.rawEvents.scan(orgId, BATCH)) {
        const parsed = batch.flatMap((e) => {
          const p = parseEvent(e);
          return p ? [{ orgId, parsed: p }] : [];
        });
        const tickets = groupByTicket(parsed).get(orgId);
        if (tickets) await projectTickets(deps, target, tickets);
        events += batch.length;
      }
      if (!(await deps.settings.finishBuild(orgId, building.gen))) throw new RebuildInProgressError(orgId);
    } catch (err) {
      await deps.settings.abandonBuild(orgId, building.gen);
      await deps.facts.deleteGeneration(orgId, building.gen);
      await deps.buckets.deleteGeneration(orgId, building.gen);
      throw err;
    }
    await deps.facts.deleteGenerationsBelow(orgId, building.gen);
    await deps.buckets.deleteGenerationsBelow(orgId, building.gen);
    result.orgs.push({ org_id: orgId, events, generation: building.gen, time_zone: building.tz });
  }
  return result;
}
