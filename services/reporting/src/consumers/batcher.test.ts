import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BatcherOptions, createBatcher } from './batcher.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A batcher whose batches are recorded, and held open while `hold` is set. */
function recorder(over: Partial<BatcherOptions<string, string>> = {}) {
  const batches: string[][] = [];
  const singles: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const state = { hold: null as ReturnType<typeof deferred> | null };
  const batcher = createBatcher<string, string>({
    maxSize: 3,
    maxWaitMs: 5,
    runBatch: async (items) => {
      batches.push(items);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await state.hold?.promise;
      } finally {
        running--;
      }
      return items.map((i) => `done ${i}`);
    },
    runOne: async (item) => {
      singles.push(item);
      return `alone ${item}`;
    },
    ...over,
  });
  return { batcher, batches, singles, state, maxRunning: () => maxRunning };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createBatcher', () => {
  it('when a batch reaches its size, then it runs at once with each item getting its own result', async () => {
    const r = recorder({ maxWaitMs: 60_000 });
    const results = Promise.all(['a', 'b', 'c'].map((i) => r.batcher.add(i)));
    expect(r.batches).toEqual([['a', 'b', 'c']]);
    expect(await results).toEqual(['done a', 'done b', 'done c']);
  });

  it('when fewer items than the size arrive, then they run together once the wait after the first has passed', async () => {
    const r = recorder({ maxSize: 10, maxWaitMs: 5 });
    const a = r.batcher.add('a');
    await vi.advanceTimersByTimeAsync(3);
    const b = r.batcher.add('b');
    await vi.advanceTimersByTimeAsync(1);
    expect(r.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.batches).toEqual([['a', 'b']]);
    expect(await Promise.all([a, b])).toEqual(['done a', 'done b']);
  });

  it('when a batch is running, then the next one collects and starts as soon as it ends, never alongside', async () => {
    const r = recorder({ maxSize: 2 });
    const hold = deferred();
    r.state.hold = hold;
    const first = [r.batcher.add('a'), r.batcher.add('b')];
    const next = [r.batcher.add('c'), r.batcher.add('d'), r.batcher.add('e')];
    await vi.advanceTimersByTimeAsync(50);
    expect(r.batches).toEqual([['a', 'b']]);
    r.state.hold = null;
    hold.resolve();
    expect(await Promise.all([...first, ...next])).toEqual([
      'done a',
      'done b',
      'done c',
      'done d',
      'done e',
    ]);
    // Arrival order kept across batches, so one ticket's events stay in order.
    expect(r.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(r.maxRunning()).toBe(1);
  });

  it('when a batch fails, then its items run one by one in order and only the poison item fails', async () => {
    const failures: number[] = [];
    const r = recorder({
      runBatch: async (items) => {
        if (items.includes('poison')) throw new Error('batch failed');
        return items.map((i) => `done ${i}`);
      },
      runOne: async (item) => {
        r.singles.push(item);
        if (item === 'poison') throw new Error('poison alone');
        return `alone ${item}`;
      },
      onBatchFailed: (_err, size) => failures.push(size),
    });
    const outcomes = await Promise.allSettled(['a', 'poison', 'b'].map((i) => r.batcher.add(i)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'alone a' },
      { status: 'rejected', reason: new Error('poison alone') },
      { status: 'fulfilled', value: 'alone b' },
    ]);
    expect(r.singles).toEqual(['a', 'poison', 'b']);
    expect(failures).toEqual([3]);
  });

  it('when a batch of one fails, then its caller gets that error without a second try', async () => {
    const r = recorder({
      runBatch: async () => {
        throw new Error('lone failure');
      },
    });
    const lone = r.batcher.add('a');
    const settled = expect(lone).rejects.toThrow('lone failure');
    await vi.advanceTimersByTimeAsync(5);
    await settled;
    expect(r.singles).toEqual([]);
  });

  it('when closed with items pending, then they run at once and later items are refused', async () => {
    const r = recorder({ maxSize: 10, maxWaitMs: 60_000 });
    const a = r.batcher.add('a');
    await r.batcher.close();
    expect(r.batches).toEqual([['a']]);
    expect(await a).toBe('done a');
    await expect(r.batcher.add('b')).rejects.toThrow('closed');
  });
});
