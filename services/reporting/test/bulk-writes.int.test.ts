import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/infra/store.ts';
import type { ReportingDeps } from '../src/use-cases/deps.ts';
import { ingestEvents } from '../src/use-cases/ingest-events.ts';
import type { BucketDoc, FactDoc, FactWrite } from '../src/use-cases/ports.ts';
import { story } from './scenario.ts';

const fact = (id: string, rev: number, events: string[], pending: FactDoc['pending'] = null): FactDoc => ({
  _id: id,
  orgId: 'o',
  gen: 1,
  ticketId: id,
  t: events.map((e, i) => ({ id: e, seq: i + 1 })) as never,
  s: [],
  rev,
  pending,
});

const bucket = (id: string, rev: number): BucketDoc => ({
  _id: id,
  orgId: 'o',
  gen: 1,
  kind: 'd',
  key: id,
  cells: { c: { n: { opened: 1 } } },
  rev,
  ops: {},
});

let store: Store;
beforeAll(async () => {
  store = await openStore(uniqueDbUrl(testServers().mongoUrl, 'reporting_bulk'));
});
afterAll(async () => {
  await store?.conn.dropDatabase();
  await store?.close();
});

describe('fact store bulk writes', () => {
  it('when one batch holds a stale revision and an existing id, then just those two lose and the rest is stored', async () => {
    await store.models.facts.collection.insertMany([fact('a', 1, ['e1']), fact('b', 3, ['e2'])] as never[]);
    const pending = { opId: 'op-1', docs: [], leaseUntil: 5 };
    const won = await store.facts.writeMany([
      { doc: fact('a', 2, ['e1', 'e3'], pending), prevRev: 1 },
      { doc: fact('b', 3, ['e2', 'e4']), prevRev: 2 },
      { doc: fact('a', 1, ['e5']), prevRev: null },
      { doc: fact('c', 1, ['e6']), prevRev: null },
    ]);
    expect(won).toEqual([true, false, false, true]);
    const stored = await store.facts.findMany(['a', 'b', 'c']);
    expect(stored.get('a')).toMatchObject({ rev: 2, pending, t: [{ id: 'e1' }, { id: 'e3' }] });
    expect(stored.get('b')).toMatchObject({ rev: 3, t: [{ id: 'e2' }] });
    expect(stored.get('c')).toMatchObject({ rev: 1, orgId: 'o', gen: 1, t: [{ id: 'e6' }] });

    await store.facts.clearPending([
      { id: 'a', opId: 'another-op' },
      { id: 'c', opId: 'op-1' },
    ]);
    expect((await store.facts.findMany(['a'])).get('a')?.pending).toEqual(pending);
    await store.facts.clearPending([{ id: 'a', opId: 'op-1' }]);
    expect((await store.facts.findMany(['a'])).get('a')?.pending).toBeNull();
  });
});

describe('bucket store bulk writes', () => {
  it('when one batch holds a stale revision and an existing id, then just those two lose', async () => {
    await store.models.buckets.collection.insertMany([bucket('x', 1), bucket('y', 4)] as never[]);
    const head = (id: string, rev: number) => ({ _id: id, orgId: 'o', gen: 1, kind: 'd', key: id, rev });
    const won = await store.buckets.writeMany([
      {
        update: head('x', 1),
        set: { 'cells.c2': { n: { resolved: 1 } }, 'ops.f1': 'op-1' },
        unset: ['cells.c'],
      },
      { update: head('y', 3), set: { 'ops.f1': 'op-1' }, unset: [] },
      { insert: bucket('y', 1) },
      { insert: bucket('z', 1) },
    ]);
    expect(won).toEqual([true, false, false, true]);
    const stored = await store.buckets.findMany(['x', 'y', 'z']);
    expect(stored.get('x')).toMatchObject({
      rev: 2,
      cells: { c2: { n: { resolved: 1 } } },
      ops: { f1: 'op-1' },
    });
    expect(stored.get('x')?.cells.c).toBeUndefined();
    expect(stored.get('y')).toMatchObject({ rev: 4, ops: {} });
    expect(stored.has('z')).toBe(true);
  });

  it('when a write fails for another reason than a lost revision, then the batch throws', async () => {
    await store.models.buckets.collection.insertOne(bucket('w', 1) as never);
    // Setting and unsetting one path is refused by the server.
    await expect(
      store.buckets.writeMany([
        {
          update: { _id: 'w', orgId: 'o', gen: 1, kind: 'd', key: 'w', rev: 1 },
          set: { 'cells.c': 1 },
          unset: ['cells.c'],
        },
      ]),
    ).rejects.toThrow();
  });

  it('when markers are cleared and one of them changed meanwhile, then the others still go and the changed one stays', async () => {
    await store.models.buckets.collection.insertMany([
      { ...bucket('m1', 1), ops: { f1: 'op-1', f2: 'op-2' } },
      { ...bucket('m2', 1), ops: { f1: 'op-1', f2: 'op-next' } },
    ] as never[]);
    await store.buckets.clearOps([
      { id: 'm1', fact: 'f1', opId: 'op-1' },
      { id: 'm1', fact: 'f2', opId: 'op-2' },
      { id: 'm2', fact: 'f1', opId: 'op-1' },
      { id: 'm2', fact: 'f2', opId: 'op-2' },
    ]);
    const stored = await store.buckets.findMany(['m1', 'm2']);
    expect(stored.get('m1')?.ops).toEqual({});
    expect(stored.get('m2')?.ops).toEqual({ f2: 'op-next' });
  });
});

describe('concurrent ingests of the same tickets', () => {
  /** Created, assigned and replied to, for 20 tickets. */
  const lives = (orgId: string) =>
    Array.from({ length: 20 }, (_, i) => {
      const s = story(orgId, `${orgId}-t${i}`, '2026-11-10T08:00:00.000Z');
      return [
        s.created(),
        s.assigned('2026-11-10T09:00:00.000Z', `agent-${i % 3}`),
        s.replied('2026-11-10T10:00:00.000Z'),
      ];
    });
  const bucketsOf = async (orgId: string) => {
    const docs = await store.models.buckets.collection.find({ orgId }).toArray();
    return Object.fromEntries(docs.map((d) => [`${d.kind}|${d.key}`, { cells: d.cells, ops: d.ops }]));
  };

  it('when two ingests race on the same tickets, then the losing fact writes are retried and every event counts once', async () => {
    const deps: ReportingDeps = { ...store, clock: () => new Date('2026-11-16T12:00:00Z') };
    // Each ingest's first read waits for the other's, so both write on what they read before
    // either wrote: every creation is written twice, and one of each pair loses.
    let lost = 0;
    let reads = 0;
    let bothRead = () => {};
    const readsDone = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const racing = (): ReportingDeps => {
      let first = true;
      const facts = {
        ...store.facts,
        findMany: async (ids: string[]) => {
          const found = await store.facts.findMany(ids);
          if (first) {
            first = false;
            if (++reads === 2) bothRead();
            await readsDone;
          }
          return found;
        },
        writeMany: async (writes: FactWrite[]) => {
          const won = await store.facts.writeMany(writes);
          lost += won.filter((ok) => !ok).length;
          return won;
        },
      };
      return { ...deps, facts };
    };
    const race = lives('race');
    const results = await Promise.all([
      ingestEvents(
        racing(),
        race.flatMap((life) => life.slice(0, 2)),
      ),
      ingestEvents(
        racing(),
        race.flatMap((life) => [life[0], life[2]] as Envelope[]),
      ),
    ]);
    expect(lost).toBe(20);
    expect(results[0].applied + results[1].applied).toBe(race.flat().length);

    await ingestEvents(deps, lives('reference').flat());
    const raced = await bucketsOf('race');
    expect(Object.keys(raced).length).toBeGreaterThan(0);
    expect(raced).toEqual(await bucketsOf('reference'));
    expect(Object.values(raced).every((b) => Object.keys(b.ops).length === 0)).toBe(true);
    const facts = await store.models.facts.collection.find({ orgId: 'race' }).toArray();
    expect(facts).toHaveLength(20);
    expect(facts.every((f) => f.pending === null && f.t.length === 3)).toBe(true);
  });
});
