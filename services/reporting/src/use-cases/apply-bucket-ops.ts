import { encodeValue } from '../domain/cells.ts';
import type { CellDelta } from '../domain/delta.ts';
import { applyDur } from '../domain/durations.ts';
import type { ReportingDeps } from './deps.ts';
import type { BucketDoc, BucketWrite, Cell, PendingOp } from './ports.ts';
import { type Prefetched, readOrGiven } from './prefetch.ts';

export interface ProjectionTarget {
  orgId: string;
  gen: number;
  tz: string;
}

export const bucketId = (t: Pick<ProjectionTarget, 'orgId' | 'gen'>, doc: string) =>
  `${t.orgId}|${t.gen}|${doc}`;

/** A cell after a delta; undefined once it holds nothing, so equal numbers mean equal documents. */
export function applyCell(cell: Cell | undefined, delta: CellDelta): Cell | undefined {
  const n = { ...cell?.n };
  for (const [name, by] of delta.n) {
    const v = (n[name] ?? 0) + by;
    if (v === 0) delete n[name];
    else n[name] = v;
  }
  const d = { ...cell?.d };
  for (const [name, add, remove] of delta.d) {
    const next = applyDur(d[name], add, remove);
    if (next) d[name] = next;
    else delete d[name];
  }
  const out: Cell = {};
  if (Object.keys(n).length) out.n = n;
  if (Object.keys(d).length) out.d = d;
  return out.n || out.d ? out : undefined;
}

interface Op {
  factId: string;
  pending: PendingOp;
}

const MAX_ROUNDS = 100;
/** Stop writing this long before the lease ends, so clock skew cannot let two writers overlap. */
const leaseMargin = (deps: ReportingDeps) => Math.min(2_000, (deps.leaseMs ?? 15_000) / 5);

export class LeaseLostError extends Error {
  constructor() {
    super('the lease on a pending op ran out before it was applied; it will be taken over');
  }
}

export interface ApplyOptions {
  /**
   * Bucket documents read while the fact documents were being written, one entry per document
   * id asked for (null: none yet). The first round uses them instead of reading again; a stale
   * one only loses its revision check and is read again.
   */
  prefetched?: Prefetched<BucketDoc>;
  /**
   * Given, the clean-up (dropping the pending ops, then the bucket markers) runs on after the
   * buckets are written and its promise is handed here: the projection is visible already, and
   * whoever touches these tickets next must wait for it (or finds the op and finishes it).
   */
  deferCleanup?: (cleanup: Promise<void>) => void;
}

/**
 * Applies pending ops to their bucket documents exactly once. Only the holder of an op's lease
 * writes it. Each bucket write is one revision-checked document update that also records
 * `ops.<fact> = opId`, so whoever takes over after a crash skips the buckets already done; the
 * marker is dropped once the fact document no longer holds the op (no one can write it then:
 * the op is gone, and an earlier holder stopped writing when its lease ran out): see
 * `clearApplied`, which `applyOrRelease` runs after this.
 */
export async function applyBucketOps(
  deps: ReportingDeps,
  target: Pick<ProjectionTarget, 'orgId' | 'gen'>,
  ops: Op[],
  prefetched?: Prefetched<BucketDoc>,
): Promise<void> {
  const byDoc = new Map<string, { fact: string; opId: string; cells: CellDelta[] }[]>();
  for (const op of ops) {
    for (const doc of op.pending.docs) {
      const list = byDoc.get(doc.doc) ?? [];
      list.push({ fact: encodeValue(op.factId), opId: op.pending.opId, cells: doc.cells });
      byDoc.set(doc.doc, list);
    }
  }
  const leaseUntil = Math.min(...ops.map((o) => o.pending.leaseUntil)) - leaseMargin(deps);
  let todo = [...byDoc.keys()];
  for (let round = 0; todo.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error('bucket updates keep conflicting; giving up for a retry');
    if (Date.now() > leaseUntil) throw new LeaseLostError();
    const ids = todo.map((d) => bucketId(target, d));
    const current = await readOrGiven(ids, round === 0 ? prefetched : undefined, deps.buckets.findMany);
    const planned = todo.map((doc) =>
      planBucketWrite(target, doc, current.get(bucketId(target, doc)), byDoc.get(doc) ?? []),
    );
    const writes = planned.filter((w) => w !== null);
    if (writes.length && Date.now() > leaseUntil) throw new LeaseLostError();
    // One round trip for the whole op set: each command costs a round trip and a socket write.
    const won = await deps.buckets.writeMany(writes);
    for (const ok of won) if (ok) await deps.faults?.afterBucketWrite?.();
    let next = 0;
    const done = planned.map((w) => (w ? (won[next++] as boolean) : true));
    todo = todo.filter((_, i) => !done[i]);
  }
}

/**
 * Drops the applied ops: from the facts first, then their markers from the buckets. The other
 * way round, a crash in between would leave an op whose markers are gone, and it would be
 * applied again.
 */
async function clearApplied(deps: ReportingDeps, target: Pick<ProjectionTarget, 'orgId' | 'gen'>, ops: Op[]) {
  const byDoc = new Map<string, string[]>();
  for (const op of ops) {
    for (const doc of op.pending.docs) {
      const facts = byDoc.get(doc.doc) ?? [];
      facts.push(op.factId);
      byDoc.set(doc.doc, facts);
    }
  }
  await deps.facts.clearPending(ops.map((op) => ({ id: op.factId, opId: op.pending.opId })));
  const opOf = new Map(ops.map((op) => [op.factId, op.pending.opId]));
  await deps.buckets.clearOps(
    [...byDoc.entries()].flatMap(([doc, facts]) =>
      facts.map((f) => ({ id: bucketId(target, doc), fact: encodeValue(f), opId: opOf.get(f) as string })),
    ),
  );
}

/** Applies the op and, should anything fail, ends its lease so the retry can take it at once. */
export async function applyOrRelease(
  deps: ReportingDeps,
  target: Pick<ProjectionTarget, 'orgId' | 'gen'>,
  ops: Op[],
  opts: ApplyOptions = {},
): Promise<void> {
  // Safe: nothing of ours is in flight any more, and the bucket markers tell the next holder
  // which documents already have the op.
  const release = async (err: unknown) => {
    await Promise.allSettled(
      ops.map((o) => deps.facts.releaseLease(o.factId, o.pending.opId, o.pending.leaseUntil)),
    );
    throw err;
  };
  await applyBucketOps(deps, target, ops, opts.prefetched).catch(release);
  const cleanup = clearApplied(deps, target, ops).catch(release);
  if (opts.deferCleanup) opts.deferCleanup(cleanup);
  else await cleanup;
}

/** The write that applies the ops not yet marked on the document; null when all are. */
function planBucketWrite(
  target: Pick<ProjectionTarget, 'orgId' | 'gen'>,
  doc: string,
  cur: BucketDoc | undefined,
  ops: { fact: string; opId: string; cells: CellDelta[] }[],
): BucketWrite | null {
  const fresh = ops.filter((o) => cur?.ops?.[o.fact] !== o.opId);
  if (fresh.length === 0) return null;
  const cells: Record<string, Cell | undefined> = {};
  for (const op of fresh) {
    for (const delta of op.cells) {
      const before = delta.cell in cells ? cells[delta.cell] : cur?.cells?.[delta.cell];
      cells[delta.cell] = applyCell(before, delta);
    }
  }
  const marks = Object.fromEntries(fresh.map((o) => [o.fact, o.opId]));
  const [kind, ...key] = doc.split('|') as [string, ...string[]];
  if (!cur) {
    const kept = Object.fromEntries(Object.entries(cells).filter(([, c]) => c !== undefined)) as Record<
      string,
      Cell
    >;
    return {
      insert: {
        _id: bucketId(target, doc),
        orgId: target.orgId,
        gen: target.gen,
        kind,
        key: key.join('|'),
        cells: kept,
        rev: 1,
        ops: marks,
      },
    };
  }
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [cell, value] of Object.entries(cells)) {
    if (value) set[`cells.${cell}`] = value;
    else if (cur.cells?.[cell]) unset.push(`cells.${cell}`);
  }
  for (const [fact, opId] of Object.entries(marks)) set[`ops.${fact}`] = opId;
  return {
    update: { _id: cur._id, orgId: target.orgId, gen: target.gen, kind, key: key.join('|'), rev: cur.rev },
    set,
    unset,
  };
}
