import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';

/**
 * A cursor into an append-only array (a ticket's history or thread) is a position in the whole
 * array, hidden items included: a position never moves, and a caller who sees fewer items skips
 * the others. Read before anything is loaded, so a bad cursor is a 400 whatever else is wrong.
 */
export function arrayCursorStart(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const { p } = decodeCursor(cursor);
  if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return p;
}

/** Up to `limit` items of `all` from `start` on that `visible` lets through, and the cursor past them. */
export function pageArray<T>(
  all: readonly T[],
  start: number,
  limit: number,
  visible: (item: T) => boolean,
): { results: T[]; next: string | null } {
  const results: T[] = [];
  for (let p = start; p < all.length; p++) {
    const item = all[p];
    if (item === undefined || !visible(item)) continue;
    if (results.length === limit) return { results, next: encodeCursor({ p }) };
    results.push(item);
  }
  return { results, next: null };
}
