import type { Envelope } from '@helpdesk/contracts';
import { PermanentError } from '@helpdesk/messaging';
import { REPORT_EVENT_TYPES, ReportEventSchema } from '../domain/report-events.ts';
import { type ParsedEvent, parseEvent } from '../domain/ticket-facts.ts';
import type { ProjectionTarget } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import { knownSettings } from './known-settings.ts';
import type { OrgSettings } from './ports.ts';
import { prefetch } from './prefetch.ts';
import { factId, projectTickets } from './project-tickets.ts';

export interface IngestResult {
  /** Events that changed a projection (new to it). */
  applied: number;
  /** Events of types the reports do not use. */
  ignored: number;
}

/** Groups parsed events by org and ticket. */
export function groupByTicket(events: { orgId: string; parsed: ParsedEvent }[]) {
  const byOrg = new Map<string, Map<string, ParsedEvent[]>>();
  for (const { orgId, parsed } of events) {
    const tickets = byOrg.get(orgId) ?? new Map<string, ParsedEvent[]>();
    byOrg.set(orgId, tickets);
    const list = tickets.get(parsed.ticketId) ?? [];
    list.push(parsed);
    tickets.set(parsed.ticketId, list);
  }
  return byOrg;
}

export interface IngestOptions {
  /**
   * The consumer's pipelining: awaited once this batch's events are in the raw log, before any
   * fact is read (the previous batch's clean-up, which would otherwise show as pending ops).
   */
  after?: Promise<unknown>;
  /**
   * Given, the clean-up of this batch's ops runs on after its buckets are written (see
   * applyOrRelease). The receiver must handle each promise's rejection at once: one may fail
   * while the rest of the batch still runs, and an unhandled rejection ends the process.
   */
  deferCleanup?: (cleanup: Promise<void>) => void;
}

/**
 * Like Promise.all, but fails only once every projection has ended: none may still be writing
 * (or handing clean-ups over) when the batch is given up and retried.
 */
async function allSettled<T>(work: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(work);
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

const targetsOf = (s: OrgSettings): ProjectionTarget[] => [
  { orgId: s.orgId, gen: s.gen, tz: s.tz },
  ...(s.building ? [{ orgId: s.orgId, gen: s.building.gen, tz: s.building.tz }] : []),
];

/**
 * Applies a batch of envelopes, as the consumer does for each delivery (the bench feeds large
 * batches straight in). Each event is first kept in the raw log, then the org's settings are read
 * (after the log write, so a rebuild that starts meanwhile either replays the event or is seen
 * here as `building` and gets it from us), then projected into the live generation and the one
 * being built, if any. Safe to call again with the same events.
 *
 * The fact documents are read together with the settings, for the generations the org had last
 * time (a rebuild changes them rarely; a wrong guess is read again), and orgs and generations are
 * projected side by side, as they share no document.
 */
export async function ingestEvents(
  deps: ReportingDeps,
  envelopes: Envelope[],
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const wanted: { orgId: string; parsed: ParsedEvent }[] = [];
  const kept: Envelope[] = [];
  let ignored = 0;
  for (const e of envelopes) {
    const valid = ReportEventSchema.safeParse(e);
    if (!valid.success) {
      if (REPORT_EVENT_TYPES.includes(e.type as never)) {
        throw new PermanentError(`event ${e.id} (${e.type}) does not match its schema`);
      }
      ignored += 1;
      continue;
    }
    // Kept even when no report counts it yet (sla.warning): a later projection can replay it.
    kept.push(e);
    const parsed = parseEvent(e);
    if (parsed) wanted.push({ orgId: e.orgId, parsed });
    else ignored += 1;
  }
  await deps.rawEvents.insertMany(kept);
  await opts.after;
  if (wanted.length === 0) return { applied: 0, ignored };
  const byOrg = groupByTicket(wanted);
  const known = knownSettings(deps);
  const guessed = [...byOrg].flatMap(([orgId, tickets]) => {
    const last = known.get(orgId);
    return last
      ? targetsOf(last).flatMap((t) => [...tickets.keys()].map((ticketId) => factId(t, ticketId)))
      : [];
  });
  const [settings, early] = await Promise.all([
    deps.settings.getMany([...byOrg.keys()]),
    prefetch(guessed, deps.facts.findMany),
  ]);
  const counts = await allSettled(
    [...byOrg].map(async ([orgId, tickets]) => {
      const s = settings.get(orgId);
      if (!s) return 0;
      known.set(orgId, s);
      const targets = targetsOf(s);
      const [live = 0] = await allSettled(
        targets.map((target) =>
          projectTickets(deps, target, tickets, {
            ...(early ? { facts: early } : {}),
            ...(opts.deferCleanup ? { deferCleanup: opts.deferCleanup } : {}),
          }),
        ),
      );
      return live;
    }),
  );
  return { applied: counts.reduce((a, b) => a + b, 0), ignored };
}
