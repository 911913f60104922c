import type { ReportingDeps } from './deps.ts';
import type { OrgSettings } from './ports.ts';

/** Per settings store, each org's settings as last read: a guess of the generation and zone. */
const seen = new WeakMap<object, Map<string, OrgSettings>>();

/**
 * The settings this process read last for each org. They change only with a rebuild or a zone
 * change, so reads that depend on them can start at once, beside the read of the settings
 * themselves; whoever uses a guess checks it against the fresh settings.
 */
export function knownSettings(deps: Pick<ReportingDeps, 'settings'>): Map<string, OrgSettings> {
  let known = seen.get(deps.settings);
  if (!known) {
    known = new Map();
    seen.set(deps.settings, known);
  }
  return known;
}

/**
 * Reads the org's settings and what `read` reads with them in one round trip instead of two:
 * `read` starts with the settings last seen, beside the settings read, and runs again with the
 * fresh ones only if the generation or the zone moved meanwhile (or the guessed read failed).
 * `read` must depend on nothing of the settings but `gen` and `tz`.
 */
export async function readWithSettings<T>(
  deps: Pick<ReportingDeps, 'settings'>,
  orgId: string,
  read: (s: OrgSettings) => Promise<T>,
): Promise<{ settings: OrgSettings; value: T }> {
  const known = knownSettings(deps);
  const guess = known.get(orgId);
  const [settings, early] = await Promise.all([
    deps.settings.get(orgId),
    guess
      ? read(guess).then(
          (value) => ({ value }),
          () => null,
        )
      : null,
  ]);
  known.set(orgId, settings);
  if (early && guess && guess.gen === settings.gen && guess.tz === settings.tz) {
    return { settings, value: early.value };
  }
  return { settings, value: await read(settings) };
}
