import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';

/**
 * A cursor into an append-only array (a ticket's history or thread) is a position among the items
 * the caller sees, never in the whole array: a customer's cursor must not count the internal notes
 * it skipped. Items are only appended and never change who sees them, so a position still names
 * the same item on the next request. Read before anything is loaded, so a bad cursor is a 400
 * whatever else is wrong.
 */
export function arrayCursorStart(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const { p } = decodeCursor(cursor);
  if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return p;
}

/** Up to `limit` of the items `visible` lets through, from the `start`-th of those on, and the cursor past them. */
export function pageArray<T>(
  all: readonly T[],
  start: number,
  limit: number,
  visible: (item: T) => boolean,
): { results: T[]; next: string | null } {
  const shown = all.filter(visible);
  const end = start + limit;
  return { results: shown.slice(start, end), next: end < shown.length ? encodeCursor({ p: end }) : null };
}
