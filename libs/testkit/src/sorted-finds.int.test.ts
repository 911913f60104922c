import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers, uniqueDbUrl } from './index.ts';

// Sorted finds give MongoDB's answer whatever plan the server picks. The local stand-in walks an
// ordered secondary index for equality-then-sort queries (scripts/infra/mongo/MongoRunner.java)
// and scans otherwise; this checks both against the answer worked out here, after inserts,
// updates that move documents within and between ranges, deletes, ties, missing fields and an
// array in an indexed field, made both before the first find orders the index and after. On a
// real MongoDB it checks the same semantics.

interface Doc {
  _id: string;
  orgId: string;
  status?: string | string[];
  createdAt: Date;
  n: number;
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ORGS = ['org-a', 'org-b', 'org-c'];
const STATUSES = ['open', 'pending', 'resolved'];

describe('sorted finds on indexed fields', () => {
  const connection = mongoose.createConnection();
  const docs = new Map<string, Doc>();
  const col = () => {
    if (!connection.db) throw new Error('not connected');
    return connection.db.collection<Doc>('tickets');
  };
  const random = rng(20261123);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  // Few distinct instants, so many documents tie on createdAt and `_id` decides.
  const instant = () => new Date(Date.UTC(2026, 10, 1) + Math.floor(random() * 40) * 60_000);

  /** Updates moving documents within a range and between orgs and statuses, and deletes. */
  async function shuffle(times: number) {
    for (let i = 0; i < times; i++) {
      const id = `t${String(Math.floor(random() * 600)).padStart(4, '0')}`;
      const doc = docs.get(id);
      if (!doc) continue;
      const roll = random();
      if (roll < 0.15) {
        await col().deleteOne({ _id: id });
        docs.delete(id);
      } else if (roll < 0.5) {
        doc.createdAt = instant();
        await col().updateOne({ _id: id }, { $set: { createdAt: doc.createdAt } });
      } else if (roll < 0.75) {
        doc.orgId = pick(ORGS);
        await col().updateOne({ _id: id }, { $set: { orgId: doc.orgId } });
      } else if (roll < 0.95) {
        doc.status = pick(STATUSES);
        await col().updateOne({ _id: id }, { $set: { status: doc.status } });
      } else {
        delete doc.status;
        await col().updateOne({ _id: id }, { $unset: { status: '' } });
      }
    }
  }

  beforeAll(async () => {
    await connection.openUri(uniqueDbUrl(testServers().mongoUrl, 'sorted_finds'));
    await col().createIndex({ orgId: 1, createdAt: -1, _id: -1 }, { name: 'org_created' });
    await col().createIndex({ orgId: 1, status: 1, createdAt: -1, _id: -1 }, { name: 'org_status_created' });
    const initial: Doc[] = [];
    for (let i = 0; i < 600; i++) {
      const doc: Doc = {
        _id: `t${String(i).padStart(4, '0')}`,
        orgId: pick(ORGS),
        createdAt: instant(),
        n: i,
      };
      if (random() < 0.9) doc.status = pick(STATUSES);
      initial.push(doc);
    }
    // Half before the indexes exist would be the same; half after exercises both builds.
    await col().insertMany(initial.slice(0, 300));
    await col().insertMany(initial.slice(300));
    for (const d of initial) docs.set(d._id, d);
    await shuffle(200);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const newestFirst = (a: Doc, b: Doc) =>
    b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);
  const hasStatus = (d: Doc, s: string) => (Array.isArray(d.status) ? d.status.includes(s) : d.status === s);
  const expected = (match: (d: Doc) => boolean, order: (a: Doc, b: Doc) => number, skip = 0, limit = 0) => {
    const all = [...docs.values()].filter(match).sort(order);
    return all.slice(skip, limit ? skip + limit : undefined).map((d) => d._id);
  };
  const ids = async (filter: object, sort: Record<string, 1 | -1>, skip = 0, limit = 0) =>
    (await col().find(filter).sort(sort).skip(skip).limit(limit).toArray()).map((d) => d._id);

  /** Pages of every org and org + status, in both directions, against the expected answers. */
  async function checkPages() {
    for (const org of ORGS) {
      const inOrg = (d: Doc) => d.orgId === org;
      expect(await ids({ orgId: org }, { createdAt: -1, _id: -1 }, 0, 21)).toEqual(
        expected(inOrg, newestFirst, 0, 21),
      );
      // The whole range, the reverse order, and a page further on.
      expect(await ids({ orgId: org }, { createdAt: -1, _id: -1 })).toEqual(expected(inOrg, newestFirst));
      expect(await ids({ orgId: org }, { createdAt: 1, _id: 1 }, 0, 30)).toEqual(
        expected(inOrg, (a, b) => newestFirst(b, a), 0, 30),
      );
      expect(await ids({ orgId: org }, { createdAt: -1, _id: -1 }, 40, 25)).toEqual(
        expected(inOrg, newestFirst, 40, 25),
      );
      for (const status of STATUSES) {
        const match = (d: Doc) => inOrg(d) && hasStatus(d, status);
        // Plain equality, the `$and` of the service's list queries, and a one-value `$in`.
        expect(await ids({ orgId: org, status }, { createdAt: -1, _id: -1 }, 0, 20)).toEqual(
          expected(match, newestFirst, 0, 20),
        );
        expect(
          await ids(
            { $and: [{ orgId: org }, { status: { $in: [status] } }] },
            { createdAt: -1, _id: -1 },
            0,
            20,
          ),
        ).toEqual(expected(match, newestFirst, 0, 20));
      }
    }
  }

  it('when a find fixes the leading fields and sorts by the rest, then the page is in sort order', async () => {
    await checkPages();
  });

  it('when documents move after the index served finds, then later finds see them where they are now', async () => {
    await checkPages();
    await shuffle(150);
    await checkPages();
  });

  it('when the filter has more than the index narrows, then every condition still applies', async () => {
    const org = 'org-b';
    const page = expected((d) => d.orgId === org, newestFirst, 0, 10);
    const last = docs.get(page.at(-1) as string) as Doc;
    // The service's cursor: strictly after the last item of the page, ties broken on `_id`.
    const after = (d: Doc) =>
      d.orgId === org &&
      (d.createdAt < last.createdAt ||
        (d.createdAt.getTime() === last.createdAt.getTime() && d._id < last._id));
    expect(
      await ids(
        {
          $and: [
            { orgId: org },
            { createdAt: { $lte: last.createdAt } },
            {
              $or: [
                { createdAt: { $lt: last.createdAt } },
                { createdAt: last.createdAt, _id: { $lt: last._id } },
              ],
            },
          ],
        },
        { createdAt: -1, _id: -1 },
        0,
        10,
      ),
    ).toEqual(expected(after, newestFirst, 0, 10));
    // Several statuses, and a condition on an unindexed field.
    expect(
      await ids(
        { orgId: org, status: { $in: ['open', 'pending'] }, n: { $gte: 100 } },
        { createdAt: -1, _id: -1 },
      ),
    ).toEqual(
      expected(
        (d) => d.orgId === org && (hasStatus(d, 'open') || hasStatus(d, 'pending')) && d.n >= 100,
        newestFirst,
      ),
    );
    // A sort the indexes do not give.
    expect(await ids({ orgId: org }, { n: -1 }, 0, 15)).toEqual(
      expected(
        (d) => d.orgId === org,
        (a, b) => b.n - a.n,
        0,
        15,
      ),
    );
  });

  /** The winning plan of a find, as JSON. */
  const explainFind = async (collection: string, filter: object, sort?: object) => {
    const db = connection.db;
    if (!db) throw new Error('not connected');
    const out = await db.command({
      explain: { find: collection, filter, ...(sort ? { sort } : {}) },
      verbosity: 'queryPlanner',
    });
    return JSON.stringify((out.queryPlanner as { winningPlan: unknown }).winningPlan);
  };

  it('when a find is explained, then the plan names the index it uses, or shows the collection scan', async () => {
    const explain = (filter: object, sort?: object) => explainFind('tickets', filter, sort);
    const byId = await explain({ _id: 't0001' });
    expect(byId).not.toContain('COLLSCAN');
    expect(await explain({ _id: { $in: ['t0001', 't0002'] } })).not.toContain('COLLSCAN');
    const page = await explain({ orgId: 'org-a' }, { createdAt: -1, _id: -1 });
    expect(page).toContain('"indexName":"org_created"');
    expect(page).not.toContain('COLLSCAN');
    const byStatus = await explain(
      { $and: [{ orgId: 'org-a' }, { status: 'open' }] },
      { createdAt: -1, _id: -1 },
    );
    expect(byStatus).toContain('"indexName":"org_status_created"');
    expect(await explain({ n: 5 })).toContain('COLLSCAN');
  });

  it('when a filter names an _id and more fields, then the _id finds the document and the rest must match', async () => {
    // Reads and revision-checked writes of one document: `{_id, orgId}`, `{_id, rev}`. The
    // stand-in's library used its `_id` index only for a filter of the `_id` alone and scanned
    // the collection for these; the runner looks the `_id` up and checks the rest.
    const db = connection.db;
    if (!db) throw new Error('not connected');
    const c = db.collection<{ _id: string; orgId: string; rev: number; tags?: string[] }>('by_id');
    await c.insertMany(
      Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}`, orgId: i % 2 ? 'org-a' : 'org-b', rev: 1 })),
    );
    expect(await c.findOne({ _id: 'd1', orgId: 'org-a' })).toMatchObject({ _id: 'd1', rev: 1 });
    expect(await c.findOne({ _id: 'd1', orgId: 'org-b' })).toBeNull();
    expect(await c.findOne({ _id: 'nope', orgId: 'org-a' })).toBeNull();
    const some = await c.find({ _id: { $in: ['d1', 'd2', 'd3'] }, orgId: 'org-a' }).toArray();
    expect(some.map((d) => d._id).sort()).toEqual(['d1', 'd3']);

    expect((await c.updateOne({ _id: 'd1', rev: 2 }, { $set: { rev: 3 } })).matchedCount).toBe(0);
    expect((await c.updateOne({ _id: 'd1', rev: 1 }, { $set: { rev: 2 } })).modifiedCount).toBe(1);
    expect(await c.findOneAndUpdate({ _id: 'd1', orgId: 'org-a', rev: 1 }, { $set: { rev: 9 } })).toBeNull();
    expect(
      await c.findOneAndUpdate(
        { _id: 'd1', orgId: 'org-a', rev: 2 },
        { $set: { rev: 3 } },
        { returnDocument: 'after' },
      ),
    ).toMatchObject({ _id: 'd1', rev: 3 });
    expect((await c.deleteOne({ _id: 'd2', orgId: 'org-a' })).deletedCount).toBe(0);
    expect((await c.deleteOne({ _id: 'd2', orgId: 'org-b' })).deletedCount).toBe(1);
    await c.updateOne({ _id: 'd3' }, { $set: { tags: ['x', 'y'] } });
    expect(await c.findOne({ _id: 'd3', tags: 'y' })).toMatchObject({ _id: 'd3' });
    expect(await c.findOne({ _id: 'd3', tags: 'z' })).toBeNull();
    expect(await c.countDocuments({})).toBe(49);
    expect((await c.find({ orgId: 'org-a' }).toArray()).length).toBe(25);

    const plan = await explainFind('by_id', { _id: 'd1', orgId: 'org-a' });
    expect(plan).toContain('"indexName":"_id_"');
    expect(plan).not.toContain('COLLSCAN');
    expect(await explainFind('by_id', { _id: { $in: ['d1', 'd3'] }, rev: 1 })).not.toContain('COLLSCAN');
    // A range on the `_id` is left to the scan, as the library does for the `_id` alone.
    expect(await explainFind('by_id', { _id: { $gt: 'd1' }, orgId: 'org-a' })).toContain('COLLSCAN');
  });

  it('when indexed values cannot be ordered by the stand-in, then finds, updates and deletes still work', async () => {
    // Regular expressions as values: the stand-in's comparator refuses to order two of them, so
    // its index gives up and scans; MongoDB orders them. Either way nothing may fail or go astray.
    const db = connection.db;
    if (!db) throw new Error('not connected');
    const odd = db.collection<{ _id: string; orgId: string; tag: unknown; n: number }>('odd');
    await odd.createIndex({ orgId: 1, tag: 1, n: -1, _id: -1 }, { name: 'org_tag_n' });
    await odd.insertMany([
      { _id: 'r1', orgId: 'o', tag: /a/, n: 1 },
      { _id: 'r2', orgId: 'o', tag: /b/, n: 2 },
      { _id: 's1', orgId: 'o', tag: 'x', n: 3 },
      { _id: 's2', orgId: 'o', tag: 'x', n: 4 },
    ]);
    const xs = async () =>
      (await odd.find({ orgId: 'o', tag: 'x' }).sort({ n: -1, _id: -1 }).toArray()).map((d) => d._id);
    expect(await xs()).toEqual(['s2', 's1']);
    await odd.insertOne({ _id: 's3', orgId: 'o', tag: 'x', n: 5 });
    await odd.updateOne({ _id: 'r1' }, { $set: { n: 10 } });
    await odd.updateOne({ _id: 's1' }, { $set: { n: 6 } });
    expect((await odd.deleteOne({ _id: 'r2' })).deletedCount).toBe(1);
    expect((await odd.deleteOne({ _id: 's2' })).deletedCount).toBe(1);
    expect(await xs()).toEqual(['s1', 's3']);
    expect((await odd.find({}).sort({ _id: 1 }).toArray()).map((d) => [d._id, d.n])).toEqual([
      ['r1', 10],
      ['s1', 6],
      ['s3', 5],
    ]);
  });

  it('when an indexed field holds an array, then finds on it still match each of its values', async () => {
    const doc: Doc = {
      _id: 'multi',
      orgId: 'org-a',
      status: ['open', 'pending'],
      createdAt: new Date(Date.UTC(2026, 10, 1)),
      n: 9999,
    };
    await col().insertOne(doc);
    docs.set(doc._id, doc);
    try {
      for (const status of ['open', 'pending', 'resolved']) {
        expect(await ids({ orgId: 'org-a', status }, { createdAt: -1, _id: -1 })).toEqual(
          expected((d) => d.orgId === 'org-a' && hasStatus(d, status), newestFirst),
        );
      }
    } finally {
      await col().deleteOne({ _id: 'multi' });
      docs.delete('multi');
    }
    // Once the array is gone, the ordered path serves again, with the same answers.
    expect(await ids({ orgId: 'org-a', status: 'open' }, { createdAt: -1, _id: -1 })).toEqual(
      expected((d) => d.orgId === 'org-a' && hasStatus(d, 'open'), newestFirst),
    );
  });
});
