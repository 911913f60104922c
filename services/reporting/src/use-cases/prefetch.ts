/**
 * Documents read ahead of need, beside another round trip: one entry per id asked for (null: no
 * such document). A stale one only loses its revision check when written, and is read again.
 */
export type Prefetched<T> = Map<string, T | null>;

type Read<T> = (ids: string[]) => Promise<Map<string, T>>;

/** Reads `ids` ahead; a failed or empty read gives undefined, and the documents are read when needed. */
export async function prefetch<T>(ids: string[], read: Read<T>): Promise<Prefetched<T> | undefined> {
  if (ids.length === 0) return undefined;
  try {
    const docs = await read(ids);
    return new Map(ids.map((id) => [id, docs.get(id) ?? null]));
  } catch {
    return undefined;
  }
}

/** The existing documents among `ids`: from `given` when it asked for all of them, else read now. */
export async function readOrGiven<T>(
  ids: string[],
  given: Prefetched<T> | undefined,
  read: Read<T>,
): Promise<Map<string, T>> {
  if (!given || !ids.every((id) => given.has(id))) return read(ids);
  return new Map(
    ids.flatMap((id) => {
      const doc = given.get(id);
      return doc ? [[id, doc] as const] : [];
    }),
  );
}
