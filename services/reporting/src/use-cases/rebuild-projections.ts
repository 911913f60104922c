import { RebuildInProgressError } from '../domain/reports.errors.ts';
import { parseEvent } from '../domain/ticket-facts.ts';
import type { ReportingDeps } from './deps.ts';
import { groupByTicket } from './ingest-events.ts';
import type { OrgSettings } from './ports.ts';
import { projectTickets } from './project-tickets.ts';

/**
 * A rebuild renews its claim after every batch; one not renewed for this long is taken to have died
 * with its process (or to hang) and is abandoned by the maintenance sweep.
 */
export const STALE_BUILD_MS = 2 * 60_000;
const BATCH = 500;

export interface RebuildResult {
  orgs: { org_id: string; events: number; generation: number; time_zone: string }[];
}

/** Gives a generation up: no longer built, its documents removed. */
export async function abandonGeneration(deps: ReportingDeps, orgId: string, gen: number) {
  await deps.settings.abandonBuild(orgId, gen);
  await deps.facts.deleteGeneration(orgId, gen);
  await deps.buckets.deleteGeneration(orgId, gen);
}

/**
 * Rebuilds projections from the raw event log into a new generation and then makes it live.
 * Events arriving meanwhile are not lost: from the moment the new generation is claimed, live
 * ingestion writes to both generations, and the log replay covers everything stored before
 * (ingestion stores an event before it reads the settings). Applying an event twice to the new
 * generation changes nothing, as everywhere. `tz` rebuilds in that zone (a settings change).
 * The work does not depend on the caller waiting: it finishes (or, on shutdown or failure, is
 * abandoned whole, the live generation untouched) whether or not anyone reads the answer.
 */
export interface RebuildOptions {
  orgId?: string;
  tz?: string;
  /** Told once each org's new generation is claimed (the rebuild of that org is then under way). */
  onClaimed?: (orgId: string, building: NonNullable<OrgSettings['building']>) => void;
}

export function rebuildProjections(deps: ReportingDeps, opts: RebuildOptions = {}): Promise<RebuildResult> {
  const run = rebuildAll(deps, opts);
  const running = deps.lifecycle?.running;
  if (!running) return run;
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  running.add(settled);
  void settled.then(() => running.delete(settled));
  return run;
}

async function rebuildAll(deps: ReportingDeps, opts: RebuildOptions) {
  const orgIds = opts.orgId
    ? [opts.orgId]
    : [...new Set([...(await deps.rawEvents.orgIds()), ...(await deps.settings.orgIds())])].sort();
  const result: RebuildResult = { orgs: [] };
  for (const orgId of orgIds) result.orgs.push(await rebuildOrg(deps, orgId, opts));
  return result;
}

async function rebuildOrg(deps: ReportingDeps, orgId: string, opts: RebuildOptions) {
  const current = await deps.settings.get(orgId);
  const tz = opts.tz ?? current.building?.tz ?? current.tz;
  const building = await deps.settings.claimBuild(orgId, tz, deps.clock(), STALE_BUILD_MS);
  if (!building) throw new RebuildInProgressError(orgId);
  opts.onClaimed?.(orgId, building);
  const target = { orgId, gen: building.gen, tz: building.tz };
  const stillOurs = async () => {
    deps.lifecycle?.stopping.throwIfAborted();
    if (!(await deps.settings.renewBuild(orgId, building.gen, deps.clock()))) {
      throw new RebuildInProgressError(orgId);
    }
  };
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
      await stillOurs();
    }
    await deps.faults?.beforeFinishBuild?.(orgId);
    deps.lifecycle?.stopping.throwIfAborted();
    if (!(await deps.settings.finishBuild(orgId, building.gen))) throw new RebuildInProgressError(orgId);
  } catch (err) {
    await abandonGeneration(deps, orgId, building.gen);
    throw err;
  }
  // Below the new generation: the old live one and any abandoned one's leftovers.
  await deps.facts.deleteGenerationsBelow(orgId, building.gen);
  await deps.buckets.deleteGenerationsBelow(orgId, building.gen);
  return { org_id: orgId, events, generation: building.gen, time_zone: building.tz };
}

export interface RebuildStatus {
  orgId: string;
  /** `stalled`: a rebuild whose heartbeat stopped; the maintenance sweep abandons it. */
  state: 'idle' | 'running' | 'stalled';
  live: { gen: number; tz: string };
  running: { gen: number; tz: string; heartbeatAt: Date } | null;
}

/** Whether a rebuild of the org runs, from its settings (a running one renews them per batch). */
export async function rebuildStatus(deps: ReportingDeps, orgId: string): Promise<RebuildStatus> {
  const s = await deps.settings.get(orgId);
  const b = s.building;
  const heartbeatAt = b ? new Date(b.since) : null;
  const stalled = heartbeatAt !== null && deps.clock().getTime() - heartbeatAt.getTime() >= STALE_BUILD_MS;
  return {
    orgId,
    state: !b ? 'idle' : stalled ? 'stalled' : 'running',
    live: { gen: s.gen, tz: s.tz },
    running: b && heartbeatAt ? { gen: b.gen, tz: b.tz, heartbeatAt } : null,
  };
}
