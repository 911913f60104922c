import type { Envelope } from '@helpdesk/contracts';
import type { DocDelta } from '../domain/delta.ts';
import type { Dur } from '../domain/durations.ts';
import type { TicketFacts } from '../domain/ticket-facts.ts';

/** The org's reporting settings and which generation of its projections is live. */
export interface OrgSettings {
  orgId: string;
  tz: string;
  /** The live generation: bucket and fact ids carry it, so a rebuild writes beside it. */
  gen: number;
  /** The highest generation ever claimed: a new rebuild takes the next, never one used before. */
  lastGen: number;
  /** A rebuild in progress: live events go to it as well as to `gen`. */
  building: { gen: number; tz: string; since: Date } | null;
  rev: number;
}

export interface SettingsStore {
  get(orgId: string): Promise<OrgSettings>;
  getMany(orgIds: string[]): Promise<Map<string, OrgSettings>>;
  /** Claims the next generation for a rebuild; null while another rebuild (not stale) runs. */
  claimBuild(orgId: string, tz: string, now: Date, staleMs: number): Promise<OrgSettings['building']>;
  /** Makes the built generation live (only if `gen` is still the one being built). */
  finishBuild(orgId: string, gen: number): Promise<boolean>;
  abandonBuild(orgId: string, gen: number): Promise<void>;
  /** The running rebuild's heartbeat; false once `gen` is no longer the one being built. */
  renewBuild(orgId: string, gen: number, now: Date): Promise<boolean>;
  /** Rebuilds whose heartbeat is older than `before` (their process died or hangs). */
  staleBuilds(before: Date): Promise<{ orgId: string; gen: number }[]>;
  orgIds(): Promise<string[]>;
}

export interface RawEventStore {
  /** Stores events by id; one already stored is left as it is. */
  insertMany(events: Envelope[]): Promise<void>;
  /** Every stored event of the org, in batches. */
  scan(orgId: string, batchSize: number): AsyncIterable<Envelope[]>;
  orgIds(): Promise<string[]>;
}

export interface PendingOp {
  opId: string;
  docs: DocDelta[];
  /**
   * Only the holder of the lease applies the op (epoch ms until which it may write buckets); a
   * crashed holder's op is taken over once the lease has run out.
   */
  leaseUntil: number;
}

export interface FactDoc extends TicketFacts {
  _id: string;
  orgId: string;
  gen: number;
  ticketId: string;
  rev: number;
  pending: PendingOp | null;
}

export interface FactWrite {
  /** As it is to be stored (`rev` the next revision). */
  doc: FactDoc;
  /** The revision it was read at; null for a new document. */
  prevRev: number | null;
}

export interface FactStore {
  findMany(ids: string[]): Promise<Map<string, FactDoc>>;
  /**
   * Writes each document if it is still at `prevRev` (null: if it does not exist yet), all in one
   * round trip; per write, false when a concurrent writer got there first.
   */
  writeMany(writes: FactWrite[]): Promise<boolean[]>;
  /** Drops each fact's pending op, if it is still that op. */
  clearPending(ops: { id: string; opId: string }[]): Promise<void>;
  /** Takes over an expired op (the fact must still be at `rev` with that op pending). */
  takeOver(id: string, rev: number, opId: string, leaseUntil: number): Promise<boolean>;
  /** Ends our lease early (only the one ending at `leaseUntil`), so the next attempt need not wait. */
  releaseLease(id: string, opId: string, leaseUntil: number): Promise<void>;
  /** Facts whose pending op's lease ran out before `now` (its holder gave up or died), oldest org first. */
  expiredOps(now: number, limit: number): Promise<FactDoc[]>;
  deleteGenerationsBelow(orgId: string, gen: number): Promise<void>;
  deleteGeneration(orgId: string, gen: number): Promise<void>;
}

export interface Cell {
  n?: Record<string, number>;
  d?: Record<string, Dur>;
}

export interface BucketDoc {
  _id: string;
  orgId: string;
  gen: number;
  /** `d` org-zone day, `q` UTC day of quarter-hour counters, `s` org summary */
  kind: string;
  key: string;
  cells: Record<string, Cell>;
  rev: number;
  /** fact id → the op being applied from it, until that fact's pending op is cleared */
  ops: Record<string, string>;
}

export type BucketWrite =
  | { insert: BucketDoc }
  | {
      /** Sets and unsets paths if the document is still at `rev`. */
      update: Pick<BucketDoc, '_id' | 'orgId' | 'gen' | 'kind' | 'key' | 'rev'>;
      set: Record<string, unknown>;
      unset: string[];
    };

export interface BucketStore {
  findMany(ids: string[]): Promise<Map<string, BucketDoc>>;
  /** Revision-checked writes in one round trip; per write, false when a concurrent writer got there first. */
  writeMany(writes: BucketWrite[]): Promise<boolean[]>;
  /** Drops the op markers once their facts no longer hold the ops. */
  clearOps(marks: { id: string; fact: string; opId: string }[]): Promise<void>;
  deleteGenerationsBelow(orgId: string, gen: number): Promise<void>;
  deleteGeneration(orgId: string, gen: number): Promise<void>;
}
