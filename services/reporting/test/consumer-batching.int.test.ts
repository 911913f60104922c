import type { Envelope } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../src/use-cases/ingest-events.ts';
import { as, type Reporting, startReporting } from './harness.ts';
import { story } from './scenario.ts';

const TICKETS = 200;
const RANGE = 'from=2026-11-10&to=2026-11-16';

/** Ten changes per ticket over the 10th to the 14th, as rounds: every ticket's n-th change, then the next. */
function rounds(orgId: string): Envelope[][] {
  const lives = Array.from({ length: TICKETS }, (_, i) => {
    const s = story(orgId, `${orgId}-t${i}`, '2026-11-10T08:00:00.000Z', { priority: 'low' });
    return [
      s.created(),
      s.assigned('2026-11-10T09:00:00.000Z', `agent-${i % 10}`),
      s.replied('2026-11-10T10:00:00.000Z'),
      s.noted('2026-11-10T11:00:00.000Z'),
      s.updated('2026-11-11T09:00:00.000Z', { priority: 'high' }),
      s.status('2026-11-11T10:00:00.000Z', 'in_progress'),
      s.status('2026-11-12T10:00:00.000Z', 'resolved'),
      s.status('2026-11-13T10:00:00.000Z', 'in_progress', { reopened: true }),
      s.status('2026-11-13T12:00:00.000Z', 'resolved'),
      s.status('2026-11-14T10:00:00.000Z', 'closed'),
    ];
  });
  return Array.from({ length: 10 }, (_, r) => lives.map((events) => events[r] as Envelope));
}

/** Bucket documents with figures: one that went up and back down (a snapshot moved on) is empty. */
async function bucketsOf(orgId: string) {
  const gen = (await t.deps.settings.get(orgId)).gen;
  const docs = await t.store.models.buckets.collection.find({ orgId, gen }).toArray();
  return Object.fromEntries(
    docs
      .filter((d) => Object.keys(d.cells).length > 0)
      .map((d) => [`${d.kind}|${d.key}`, { cells: d.cells, ops: d.ops }]),
  );
}

let t: Reporting;
beforeAll(async () => {
  t = await startReporting();
});
afterAll(() => t?.close());

describe('report events consumer', () => {
  it('when 2,000 changes of 200 tickets arrive at once, then each is projected once, in batches, as one big ingest would', async () => {
    const admin = await t.user('admin', t.org('load'));
    const published = rounds(admin.orgId);
    const events = published.flat();
    const ids = new Set(events.map((e) => e.id));
    let scanned = 0;
    const projected = new Set<string>();
    const batchSizes: number[] = [];
    const scan = () => {
      for (; scanned < t.logs.length; scanned++) {
        const line = JSON.parse(t.logs[scanned] as string);
        if (line.msg === 'event projected' && ids.has(line.messageId)) {
          expect(projected.has(line.messageId), `${line.messageId} projected twice`).toBe(false);
          projected.add(line.messageId);
        } else if (line.msg === 'event already projected' && ids.has(line.messageId)) {
          throw new Error(`${line.messageId} was seen as a repeat`);
        } else if (line.msg === 'report events batch projected') batchSizes.push(line.size);
      }
      return projected.size === events.length;
    };

    const began = performance.now();
    for (const round of published) {
      const quarter = Math.ceil(round.length / 4);
      await Promise.all([0, 1, 2, 3].map((q) => t.publish(round.slice(q * quarter, (q + 1) * quarter))));
    }
    await waitFor(scan, { description: `${events.length} events projected`, timeoutMs: 60_000 });
    const seconds = (performance.now() - began) / 1_000;
    console.info(
      `${events.length} events in ${seconds.toFixed(2)} s: ${Math.round(events.length / seconds)} events/s, ` +
        `${batchSizes.length} batches, largest ${Math.max(...batchSizes)}`,
    );
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);

    const r = await as(t, admin).get(`/api/reports/stats/?${RANGE}`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({
      opened: TICKETS,
      resolved: 2 * TICKETS,
      escalated: 0,
      closed: TICKETS,
      reopened: TICKETS,
      cancelled: 0,
    });
    // The same changes ingested in one call, the reference for what batching must not alter.
    const reference = await t.user('admin', t.org('ref'));
    await ingestEvents(t.deps, rounds(reference.orgId).flat());
    const buckets = await bucketsOf(admin.orgId);
    expect(buckets).toEqual(await bucketsOf(reference.orgId));
    expect(Object.values(buckets).every((b) => Object.keys(b.ops).length === 0)).toBe(true);
  });
});
