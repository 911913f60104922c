import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { contributionOf } from '../domain/contribution.ts';
import { diffContributions } from '../domain/delta.ts';
import { addFacts, knows, type ParsedEvent, type TicketFacts } from '../domain/ticket-facts.ts';
import { type ApplyOptions, applyOrRelease, bucketId, type ProjectionTarget } from './apply-bucket-ops.ts';
import type { ReportingDeps } from './deps.ts';
import type { FactDoc, PendingOp } from './ports.ts';
import { type Prefetched, prefetch, readOrGiven } from './prefetch.ts';

export const factId = (t: ProjectionTarget, ticketId: string) => `${t.orgId}|${t.gen}|${ticketId}`;

const MAX_ROUNDS = 200;
const CHUNK = 200;
export const DEFAULT_LEASE_MS = 15_000;
const WAIT_MS = 10;

export const leaseEnd = (deps: ReportingDeps) => Date.now() + (deps.leaseMs ?? DEFAULT_LEASE_MS);

/**
 * Another process's op is left alone while its lease runs (it is applying it now); once expired
 * (the process died) one taker wins the lease and applies it, guarded by the bucket markers.
 */
async function finishOrWait(deps: ReportingDeps, target: ProjectionTarget, facts: FactDoc[]) {
  const now = Date.now();
  const expired = facts.filter((f) => (f.pending as PendingOp).leaseUntil <= now);
  const taken = await Promise.all(
    expired.map(async (f) => {
      const pending = { ...(f.pending as PendingOp), leaseUntil: leaseEnd(deps) };
      const ok = await deps.facts.takeOver(f._id, f.rev, pending.opId, pending.leaseUntil);
      return ok ? [{ factId: f._id, pending }] : [];
    }),
  );
  const ops = taken.flat();
  if (ops.length) await applyOrRelease(deps, target, ops);
  else await sleep(WAIT_MS);
  return ops.length === 0;
}

export interface ProjectOptions extends Pick<ApplyOptions, 'deferCleanup'> {
  /**
   * The fact documents as read just before (with the org's settings, say), one entry per fact
   * id asked for (null: none yet). The first round uses them instead of reading again; a stale
   * one only loses its revision check and is read again.
   */
  facts?: Prefetched<FactDoc>;
}

/**
 * Adds events to their tickets' fact documents and moves the buckets by the difference between
 * each ticket's contribution before and after (both recomputed from all its facts, so arrival
 * order does not matter). The fact write carries the bucket delta as a pending op in the same
 * document: a crash after it leaves the op there, and whoever touches the ticket next (the
 * redelivery) finishes it before anything else. Returns how many events were new.
 */
export async function projectTickets(
  deps: ReportingDeps,
  target: ProjectionTarget,
  items: Map<string, ParsedEvent[]>,
  opts: ProjectOptions = {},
): Promise<number> {
  // A chunk's bucket writes must finish well within one lease.
  if (items.size > CHUNK) {
    const entries = [...items];
    let applied = 0;
    for (let i = 0; i < entries.length; i += CHUNK) {
      applied += await projectTickets(deps, target, new Map(entries.slice(i, i + CHUNK)), opts);
    }
    return applied;
  }
  let todo = new Map(items);
  let applied = 0;
  // Waiting for another process's lease can take up to a lease; conflicts are retried at once.
  const waitUntil = Date.now() + 2 * (deps.leaseMs ?? DEFAULT_LEASE_MS);
  let given = opts.facts;
  for (let round = 0; todo.size > 0; ) {
    if (round >= MAX_ROUNDS || Date.now() > waitUntil) {
      throw new Error('ticket facts keep conflicting; giving up for a retry');
    }
    const ids = [...todo.keys()].map((id) => factId(target, id));
    const found = await readOrGiven(ids, given, deps.facts.findMany);
    given = undefined;
    const unfinished = [...found.values()].filter((f) => f.pending);
    if (unfinished.length) {
      if (!(await finishOrWait(deps, target, unfinished))) round++;
      continue;
    }
    round++;
    const writes = [...todo.entries()].flatMap(([ticketId, events]) => {
      const id = factId(target, ticketId);
      const cur = found.get(id);
      const before: TicketFacts = cur ? { t: cur.t, s: cur.s } : { t: [], s: [] };
      const fresh = events.filter((e) => !knows(before, e));
      if (fresh.length === 0) return [];
      const after = addFacts(before, fresh);
      const docs = diffContributions(contributionOf(before, target.tz), contributionOf(after, target.tz));
      const pending: PendingOp | null = docs.length
        ? { opId: randomUUID(), docs, leaseUntil: leaseEnd(deps) }
        : null;
      return [{ ticketId, id, cur, after, pending, count: fresh.length }];
    });
    // The buckets these ops move are read while the facts are written: a round trip less before
    // the reports show the batch. A failed read only means reading them again.
    const bucketIds = [
      ...new Set(writes.flatMap((w) => w.pending?.docs.map((d) => bucketId(target, d.doc)) ?? [])),
    ];
    const buckets = prefetch(bucketIds, deps.buckets.findMany);
    const ok = await deps.facts.writeMany(
      writes.map((w) => ({
        doc: {
          _id: w.id,
          orgId: target.orgId,
          gen: target.gen,
          ticketId: w.ticketId,
          ...w.after,
          rev: (w.cur?.rev ?? 0) + 1,
          pending: w.pending,
        },
        prevRev: w.cur ? w.cur.rev : null,
      })),
    );
    const written = writes.filter((_, i) => ok[i]);
    if (deps.faults?.afterFactWrite && written.length) await deps.faults.afterFactWrite();
    const prefetched = await buckets;
    await applyOrRelease(
      deps,
      target,
      written.flatMap((w) => (w.pending ? [{ factId: w.id, pending: w.pending }] : [])),
      {
        ...(prefetched ? { prefetched } : {}),
        ...(opts.deferCleanup ? { deferCleanup: opts.deferCleanup } : {}),
      },
    );
    for (const w of written) applied += w.count;
    const lost = new Set(writes.filter((_, i) => !ok[i]).map((w) => w.ticketId));
    todo = new Map([...todo].filter(([ticketId]) => lost.has(ticketId)));
  }
  return applied;
}
