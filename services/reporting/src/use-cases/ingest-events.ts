import type { Envelope } from '@helpdesk/contracts';
import { PermanentError } from '@helpdesk/messaging';
import { REPORT_EVENT_TYPES, ReportEventSchema } from '../domain/report-events.ts';
import { type ParsedEvent, parseEvent } from '../domain/ticket-facts.ts';
import type { ProjectionTarget } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import { projectTickets } from './project-tickets.ts';

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

/**
 * Applies a batch of envelopes, as the consumer does for each delivery (the bench feeds large
 * batches straight in). Each event is first kept in the raw log, then the org's settings are read
 * (after the log write, so a rebuild that starts meanwhile either replays the event or is seen
 * here as `building` and gets it from us), then projected into the live generation and the one
 * being built, if any. Safe to call again with the same events.
 */
export async function ingestEvents(deps: ReportingDeps, envelopes: Envelope[]): Promise<IngestResult> {
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
  if (wanted.length === 0) return { applied: 0, ignored };
  const byOrg = groupByTicket(wanted);
  const settings = await deps.settings.getMany([...byOrg.keys()]);
  let applied = 0;
  for (const [orgId, tickets] of byOrg) {
    const s = settings.get(orgId);
    if (!s) continue;
    const targets: ProjectionTarget[] = [{ orgId, gen: s.gen, tz: s.tz }];
    if (s.building) targets.push({ orgId, gen: s.building.gen, tz: s.building.tz });
    for (const [i, target] of targets.entries()) {
      const n = await projectTickets(deps, target, tickets);
      if (i === 0) applied += n;
    }
  }
  return { applied, ignored };
}
