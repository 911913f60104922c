export interface BatcherOptions<T, R> {
  /** A batch starts as soon as it has this many items... */
  maxSize: number;
  /** ...or this long after its first item arrived, whichever comes first. */
  maxWaitMs: number;
  /** Handles a whole batch; resolves with one result per item, in order. */
  runBatch: (items: T[]) => Promise<R[]>;
  /**
   * Handles one item alone. Used when a batch failed: each item is tried on its own, so one
   * poison item fails only its own caller instead of the whole batch (again and again).
   */
  runOne: (item: T) => Promise<R>;
  /** Told when a batch failed and its items are retried one at a time. */
  onBatchFailed?: (err: unknown, size: number) => void;
}

export interface Batcher<T, R> {
  /** Resolves or rejects with this item's own outcome once its batch has run. */
  add(item: T): Promise<R>;
  /** Runs what is pending at once, waits until nothing runs; later `add`s are refused. */
  close(): Promise<void>;
}

interface Entry<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects items into batches and runs at most one batch at a time. While one runs, the next
 * collects, and it starts as soon as the running one ends: under load batches grow by themselves,
 * when idle an item waits at most `maxWaitMs`. Items keep their arrival order within and across
 * batches.
 */
export function createBatcher<T, R>(opts: BatcherOptions<T, R>): Batcher<T, R> {
  if (!(opts.maxSize >= 1)) throw new RangeError('maxSize must be at least 1');
  let pending: Entry<T, R>[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  function stopTimer() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function start() {
    stopTimer();
    if (running || pending.length === 0) return;
    const batch = pending.slice(0, opts.maxSize);
    pending = pending.slice(batch.length);
    running = run(batch).finally(() => {
      running = null;
      // What collected meanwhile has waited long enough already.
      start();
    });
  }

  async function run(batch: Entry<T, R>[]) {
    try {
      const results = await opts.runBatch(batch.map((e) => e.item));
      for (const [i, e] of batch.entries()) e.resolve(results[i] as R);
      return;
    } catch (err) {
      if (batch.length === 1) {
        (batch[0] as Entry<T, R>).reject(err);
        return;
      }
      opts.onBatchFailed?.(err, batch.length);
    }
    // One at a time and in order: items of a batch may touch the same documents.
    for (const e of batch) {
      try {
        e.resolve(await opts.runOne(e.item));
      } catch (err) {
        e.reject(err);
      }
    }
  }

  return {
    add(item) {
      if (closed) return Promise.reject(new Error('the batcher is closed'));
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= opts.maxSize) start();
        else if (!running && !timer) timer = setTimeout(start, opts.maxWaitMs);
      });
    },
    async close() {
      closed = true;
      start();
      while (running) await running;
    },
  };
}
