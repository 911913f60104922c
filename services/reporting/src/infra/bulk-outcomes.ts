import type { AnyBulkWriteOperation, Collection } from 'mongoose';
import { isDuplicateKey } from './reporting.models.ts';

interface BulkFailure {
  writeErrors?: { index: number; code?: number }[];
  /** A write concern error: the writes may not be durable, so nothing is known to have won. */
  err?: unknown;
}

/**
 * Runs revision-checked writes as one unordered bulk write and tells, per op, whether it took
 * effect. A lost check must show up as a duplicate key error of that op: an insert of an id that
 * exists, or an upsert whose filter (`_id` and `rev`) matches nothing, so it tries to insert an
 * `_id` that exists. The bulk result only counts matches, which could not tell which op lost.
 * Any other error throws, after the other ops ran (unordered): every op is safe to run again.
 */
export async function bulkOutcomes(col: Collection, ops: AnyBulkWriteOperation[]): Promise<boolean[]> {
  if (ops.length === 0) return [];
  const won = ops.map(() => true);
  try {
    await col.bulkWrite(ops as never, { ordered: false });
  } catch (caught) {
    const failure = caught as BulkFailure;
    if (!failure.writeErrors?.length || failure.err) throw caught;
    for (const e of failure.writeErrors) {
      if (!isDuplicateKey(e)) throw caught;
      won[e.index] = false;
    }
  }
  return won;
}
