import type { TicketStatus } from '@helpdesk/contracts';
import { cellKey, cellsOf, type Dims, familyOf } from './cells.ts';
import type { TicketFacts } from './ticket-facts.ts';
import { localDay, slotOf, utcDay } from './time-zone.ts';

/**
 * What one ticket adds to the bucket documents, recomputed from all its facts (so the result does
 * not depend on the order events arrived in, only on their own times). Keys are
 * `<doc>\t<cell>\t<name>`: `<doc>` is `d|<local day>|<cell family>` (org-zone day buckets),
 * `q|<UTC day>` (quarter-hour counters for /stats/ in any zone) or `s|<cell family>` (the org
 * summary: per-month sums).
 */
export interface Contribution {
  n: Map<string, number>;
  d: Map<string, number[]>;
}

/** Counters kept per UTC quarter hour, for /stats/ in any time zone. */
export const STAT_COUNTERS = ['opened', 'resolved', 'closed', 'reopened', 'cancelled', 'escalated'] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];

const TERMINAL: ReadonlySet<TicketStatus> = new Set(['resolved', 'closed', 'cancelled']);
const TO_COUNTER: Partial<Record<TicketStatus, StatCounter>> = {
  resolved: 'resolved',
  closed: 'closed',
  cancelled: 'cancelled',
};

export const key = (doc: string, cell: string, name: string) => `${doc}\t${cell}\t${name}`;

/**
 * The ticket's dimensions at instant `at`: from its last event (in sequence order) at or before
 * then, its first before that. Facts sorted by time, with the latest sequence among each prefix,
 * answer by binary search: a ticket's projection asks once per fact.
 */
export function dimsAtOf(facts: TicketFacts): (at: number) => Dims | null {
  const byTime = facts.t.map((f, i) => ({ at: f.at, i })).sort((x, y) => x.at - y.at);
  const latest: number[] = [];
  for (const [k, e] of byTime.entries()) latest.push(Math.max(e.i, latest[k - 1] ?? -1));
  return (at) => {
    let lo = 0;
    let hi = byTime.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((byTime[mid] as { at: number }).at <= at) lo = mid + 1;
      else hi = mid;
    }
    const found = facts.t[lo === 0 ? 0 : (latest[lo - 1] as number)];
    return found ? { p: found.p, c: found.c, a: found.a } : null;
  };
}

const sameDims = (x: Dims, y: Dims) => x.p === y.p && x.c === y.c && x.a === y.a;

/**
 * Each figure counts under the priority, category and assignee the ticket had when it happened
 * (an escalation that raises the priority does not move earlier days); the backlog moves an open
 * ticket from its old cells to its new ones on the day its dimensions change. Only the ageing of
 * the tickets open now (`oc`, `om`) uses their current dimensions, as it describes them now.
 */
export function contributionOf(facts: TicketFacts, tz: string): Contribution {
  const out: Contribution = { n: new Map(), d: new Map() };
  const inc = (k: string, v = 1) => out.n.set(k, (out.n.get(k) ?? 0) + v);
  const stat = (name: StatCounter, at: number) => inc(key(`q|${utcDay(at)}`, '*', `${name}@${slotOf(at)}`));

  const dimsAt = dimsAtOf(facts);
  const cellsAt = (at: number): readonly string[] => {
    const d = dimsAt(at);
    return d ? cellsOf(d) : [];
  };
  const day = (name: string, at: number, v = 1, cs = cellsAt(at)) => {
    const doc = `d|${localDay(at, tz)}`;
    for (const cell of cs) inc(key(`${doc}|${familyOf(cell)}`, cell, name), v);
  };
  const month = (name: string, at: number, v: number, cs = cellsAt(at)) => {
    const m = localDay(at, tz).slice(0, 7);
    for (const cell of cs) inc(key(`s|${familyOf(cell)}`, cell, `${name}:${m}`), v);
  };
  const dur = (name: string, at: number, value: number) => {
    const doc = `d|${localDay(at, tz)}`;
    for (const cell of cellsAt(at)) {
      const k = key(`${doc}|${familyOf(cell)}`, cell, name);
      const list = out.d.get(k) ?? [];
      list.push(value);
      out.d.set(k, list);
    }
  };

  for (const s of facts.s) {
    if (s.type === 'ticket.escalated') {
      stat('escalated', s.at);
      day('escalated', s.at);
      day(`esc:${s.level}`, s.at);
    } else if (s.type === 'sla.breached') day(`br:${s.clock}`, s.at);
  }
  // Compliance: one verdict per clock cycle, by its fulfilment, else by its breach.
  const verdicts = new Map<string, { met: boolean; at: number }>();
  for (const s of facts.s) {
    const id = `${s.clock}#${s.cycle}`;
    if (s.type === 'sla.fulfilled') verdicts.set(id, { met: s.met === true, at: s.at });
    else if (s.type === 'sla.breached' && !verdicts.has(id)) verdicts.set(id, { met: false, at: s.at });
  }
  for (const [id, v] of verdicts) day(`${v.met ? 'met' : 'miss'}:${id.split('#')[0]}`, v.at);

  const latest = facts.t[facts.t.length - 1];
  const first = facts.t[0];
  if (!latest || !first) return out;
  const created = latest.createdAt;
  stat('opened', created);
  day('opened', created);

  // Backlog: +1 in the cells in force while open, moved along with dimension changes.
  let open = true;
  let inCells: Dims = { p: first.p, c: first.c, a: first.a };
  const openAt = (at: number, d: Dims) => {
    inCells = d;
    day('bd', at, 1, cellsOf(d));
    month('bm', at, 1, cellsOf(d));
  };
  const closeAt = (at: number) => {
    day('bd', at, -1, cellsOf(inCells));
    month('bm', at, -1, cellsOf(inCells));
  };
  openAt(created, inCells);
  for (const f of facts.t) {
    const now: Dims = { p: f.p, c: f.c, a: f.a };
    if (open && !sameDims(now, inCells)) {
      closeAt(f.at);
      openAt(f.at, now);
    }
    if (f.type === 'ticket.assigned' && f.a !== null) {
      day(
        'assigned',
        f.at,
        1,
        cellsOf(now).filter((c) => c.includes('a=')),
      );
      day('assigned', f.at, 1, ['*', cellKey({ p: f.p }), cellKey({ c: f.c }), cellKey({ p: f.p, c: f.c })]);
    }
    if (f.type !== 'ticket.status_changed' || !f.to) continue;
    const counter = TO_COUNTER[f.to];
    if (counter) {
      stat(counter, f.at);
      day(counter, f.at);
    }
    if (f.reopened) {
      stat('reopened', f.at);
      day('reopened', f.at);
    }
    if (TERMINAL.has(f.to) && open) {
      open = false;
      closeAt(f.at);
    } else if (!TERMINAL.has(f.to) && !open) {
      open = true;
      openAt(f.at, now);
    }
  }
  const current: Dims = { p: latest.p, c: latest.c, a: latest.a };
  // A status change we never received still shows in the latest snapshot.
  if (open && TERMINAL.has(latest.status)) {
    open = false;
    closeAt(latest.at);
  } else if (!open && !TERMINAL.has(latest.status)) {
    open = true;
    openAt(latest.at, current);
  }
  if (open) {
    day('oc', created, 1, cellsOf(current));
    month('om', created, 1, cellsOf(current));
  }

  if (latest.firstResponseAt !== null) dur('fr', latest.firstResponseAt, latest.firstResponseAt - created);
  const resolved = latest.status === 'resolved' || latest.status === 'closed';
  if (resolved && latest.resolvedAt !== null) dur('res', latest.resolvedAt, latest.resolvedAt - created);
  const fr = facts.s.find((s) => s.type === 'sla.fulfilled' && s.clock === 'first_response');
  if (fr) dur('fr_b', fr.at, fr.elapsedMs ?? 0);
  const res = facts.s
    .filter((s) => s.type === 'sla.fulfilled' && s.clock === 'resolution')
    .sort((a, b) => b.cycle - a.cycle)[0];
  if (res && resolved) dur('res_b', res.at, res.elapsedMs ?? 0);
  return out;
}
