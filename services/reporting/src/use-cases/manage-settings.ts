import type { ReportingDeps } from './deps.ts';
import { type RebuildResult, rebuildProjections } from './rebuild-projections.ts';

export async function getSettings(deps: ReportingDeps, orgId: string) {
  const s = await deps.settings.get(orgId);
  return { time_zone: s.tz };
}

/**
 * Every day bucket depends on the zone, so a new zone rebuilds the org's projections from the
 * raw events (in a new generation; the old one answers until the new one is complete).
 */
export async function setTimeZone(
  deps: ReportingDeps,
  orgId: string,
  tz: string,
): Promise<{ time_zone: string; rebuilt: RebuildResult['orgs'][number] | null }> {
  const s = await deps.settings.get(orgId);
  if (s.tz === tz && !s.building) return { time_zone: tz, rebuilt: null };
  const result = await rebuildProjections(deps, { orgId, tz });
  return { time_zone: tz, rebuilt: result.orgs[0] ?? null };
}
