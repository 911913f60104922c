import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeEnvelope } from '../src/envelope.ts';
import { type OutboxEntry, outboxEntries, withOutbox } from '../src/outbox.ts';
import { startOutboxRelay } from '../src/outbox-relay.ts';
import { widgetModel } from './fixtures/widget.model.ts';
import { captureLogger, uniqueName } from './support.ts';

const logger = pino({ level: 'silent' });

function widgetEvent(widgetId: string, sequence: number): Envelope {
  return makeEnvelope({
    type: 'widget.updated',
    orgId: 'org-test',
    aggregateId: widgetId,
    sequence,
    actor: { type: 'system', id: 'test' },
    data: {},
  });
}

/**
 * A broker that fails the events named in `failing` until they are removed from it, and holds
 * the events of the aggregates in `held` until `release()`.
 */
function fakeBroker() {
  const published: Envelope[] = [];
  const failing = new Set<string>();
  const held = new Set<string>();
  const gate = Promise.withResolvers<void>();
  let holding = 0;
  return {
    published,
    failing,
    held,
    release: () => gate.resolve(),
    holding: () => holding,
    async publish(envelope: Envelope) {
      if (held.has(envelope.aggregateId)) {
        holding++;
        await gate.promise;
      }
      if (failing.has(envelope.id)) throw new Error('broker unavailable');
      published.push(envelope);
    },
  };
}

describe('outbox relay', () => {
  let conn: Connection;
  let Widgets: ReturnType<typeof widgetModel>;

  beforeAll(async () => {
    conn = await mongoose
      .createConnection(uniqueDbUrl(testServers().mongoUrl, 'messaging_relay'))
      .asPromise();
    Widgets = widgetModel(conn);
    await Widgets.init();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('keeps a failed event and those after it, and publishes them in order on a later round', async () => {
    const broker = fakeBroker();
    const id = uniqueName('w');
    const events = [1, 2, 3].map((n) => widgetEvent(id, n));
    await Widgets.create({
      _id: id,
      orgId: 'org-test',
      name: 'a',
      sequence: 3,
      outbox: outboxEntries(...events),
    });
    broker.failing.add(events[1]?.id ?? '');
    const registry = new Registry();
    const relay = startOutboxRelay({ models: [Widgets], broker, logger, intervalMs: 20, registry });
    try {
      await waitFor(() => broker.published.length === 1, { description: 'first event published' });
      const pending = await Widgets.findById(id).select('+outbox').lean();
      expect(pending?.outbox?.map((entry) => entry.envelope.sequence)).toEqual([2, 3]);
      await waitFor(
        async () => (await registry.getSingleMetricAsString('messaging_outbox_backlog')).includes('} 1'),
        {
          description: 'backlog gauge reports the waiting document',
        },
      );

      broker.failing.clear();
      await relay.drained();
      expect(broker.published.map((e) => e.sequence)).toEqual([1, 2, 3]);
      expect((await Widgets.findById(id).select('+outbox').lean())?.outbox).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('works through more documents than one batch holds', async () => {
    const broker = fakeBroker();
    const ids = Array.from({ length: 7 }, () => uniqueName('w'));
    await Widgets.create(
      ids.map((id) => ({
        _id: id,
        orgId: 'org-test',
        name: id,
        sequence: 1,
        outbox: outboxEntries(widgetEvent(id, 1)),
      })),
    );
    const relay = startOutboxRelay({ models: [Widgets], broker, logger, batchSize: 3, intervalMs: 60_000 });
    try {
      await relay.drained();
      expect(broker.published.map((e) => e.aggregateId).sort()).toEqual([...ids].sort());
      expect(await Widgets.countDocuments({ 'outbox.at': { $exists: true } })).toBe(0);
    } finally {
      await relay.stop();
    }
    await expect(relay.drained()).rejects.toThrow(/stopped/);
  });

  it('when kicked with a hint, then it reads just that document; a failure there makes the next round search', async () => {
    const broker = fakeBroker();
    const relay = startOutboxRelay({ models: [Widgets], broker, logger, intervalMs: 60_000 });
    const widget = async (id: string) => {
      const event = widgetEvent(id, 1);
      await Widgets.create({
        _id: id,
        orgId: 'org-test',
        name: id,
        sequence: 1,
        outbox: outboxEntries(event),
      });
      return event;
    };
    try {
      await relay.drained();
      const [hinted, other] = [uniqueName('w'), uniqueName('w')];
      await widget(other);
      const event = await widget(hinted);
      broker.failing.add(event.id);
      relay.kick({ model: Widgets, id: hinted });
      // The hinted round tried (and failed) the hinted document only.
      await waitFor(
        async () => (await Widgets.findById(hinted).select('+outbox').lean())?.outbox?.length === 1,
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(broker.published.map((e) => e.aggregateId)).toEqual([]);

      broker.failing.clear();
      const third = uniqueName('w');
      await widget(third);
      relay.kick({ model: Widgets, id: third });
      await waitFor(() => broker.published.length === 3, { description: 'the search after the failure' });
      expect(broker.published.map((e) => e.aggregateId).sort()).toEqual([hinted, other, third].sort());

      const fourth = uniqueName('w');
      const fifth = uniqueName('w');
      await widget(fourth);
      await widget(fifth);
      relay.kick({ model: Widgets, id: fifth });
      await waitFor(() => broker.published.length === 4, { description: 'the hinted document' });
      expect(broker.published.at(-1)?.aggregateId).toBe(fifth);
      relay.kick();
      await waitFor(() => broker.published.length === 5, { description: 'the unhinted one, by a search' });
    } finally {
      await relay.stop();
    }
  });

  describe('kicked with the outbox the write left', () => {
    const widgetWith = async (id: string, ...sequences: number[]) => {
      const outbox = outboxEntries(...sequences.map((n) => widgetEvent(id, n)));
      await Widgets.create({
        _id: id,
        orgId: 'org-test',
        name: id,
        sequence: Math.max(...sequences),
        outbox,
      });
      return outbox;
    };
    /** A change with one more event, returning the whole outbox as the write left it. */
    const change = async (id: string, sequence: number): Promise<OutboxEntry[]> => {
      const doc = await Widgets.findOneAndUpdate(
        { _id: id },
        withOutbox({ $set: { sequence } }, widgetEvent(id, sequence)),
        { returnDocument: 'after' },
      )
        .select('+outbox')
        .lean();
      return doc?.outbox ?? [];
    };
    // Straight from the driver, so the spy on `Widgets.findOne` counts the relay's reads only.
    const pendingOf = async (id: string) =>
      (((await Widgets.collection.findOne({ _id: id as never }))?.outbox ?? []) as OutboxEntry[]).map(
        (entry) => entry.envelope.sequence,
      );
    const sequencesOf = (published: Envelope[], id: string) =>
      published.filter((e) => e.aggregateId === id).map((e) => e.sequence);

    async function started(broker: ReturnType<typeof fakeBroker>, logger = pino({ level: 'silent' })) {
      const relay = startOutboxRelay({ models: [Widgets], broker, logger, intervalMs: 60_000 });
      await relay.drained();
      return relay;
    }

    it('when a hint carries the outbox, then its events go out in sequence order and are pulled without reading the document', async () => {
      const broker = fakeBroker();
      const relay = await started(broker);
      const reads = vi.spyOn(Widgets, 'findOne');
      try {
        const id = uniqueName('w');
        const [third, first, second] = await widgetWith(id, 3, 1, 2);
        relay.kick({ model: Widgets, id, outbox: [third, first, second] as OutboxEntry[] });
        await waitFor(async () => (await pendingOf(id)).length === 0, { description: 'events pulled' });
        expect(sequencesOf(broker.published, id)).toEqual([1, 2, 3]);
        expect(reads).not.toHaveBeenCalled();

        // A hint without entries still reads the document: the spy does see the relay's reads.
        const bare = uniqueName('w');
        await widgetWith(bare, 1);
        relay.kick({ model: Widgets, id: bare });
        await waitFor(async () => (await pendingOf(bare)).length === 0, { description: 'bare hint served' });
        expect(reads).toHaveBeenCalledTimes(1);
      } finally {
        reads.mockRestore();
        await relay.stop();
      }
    });

    it('when one round serves several documents, then their events are pulled in one command', async () => {
      const broker = fakeBroker();
      const relay = await started(broker);
      const bulk = vi.spyOn(Widgets, 'bulkWrite');
      const single = vi.spyOn(Widgets, 'updateOne');
      try {
        // The first document's round is held at the broker while three more writes kick: the
        // next round serves those three together.
        const first = uniqueName('w');
        broker.held.add(first);
        relay.kick({ model: Widgets, id: first, outbox: await widgetWith(first, 1) });
        await waitFor(() => broker.holding() === 1, { description: 'first round held' });
        const ids = [uniqueName('w'), uniqueName('w'), uniqueName('w')];
        for (const id of ids) relay.kick({ model: Widgets, id, outbox: await widgetWith(id, 1, 2) });
        broker.release();
        for (const id of [first, ...ids]) {
          await waitFor(async () => (await pendingOf(id)).length === 0, { description: `${id} pulled` });
          expect(sequencesOf(broker.published, id)).toEqual(id === first ? [1] : [1, 2]);
        }
        expect(single).not.toHaveBeenCalled();
        const sizes = bulk.mock.calls.map(([ops]) => (ops as unknown[]).length);
        expect(sizes).toEqual([1, 3]);
      } finally {
        bulk.mockRestore();
        single.mockRestore();
        await relay.stop();
      }
    });

    it('when a stale hint names events already published and pulled, then only the pending ones go out', async () => {
      const broker = fakeBroker();
      const relay = await started(broker);
      try {
        const id = uniqueName('w');
        const written = await widgetWith(id, 1, 2);
        relay.kick({ model: Widgets, id, outbox: written });
        await waitFor(async () => (await pendingOf(id)).length === 0, { description: 'first events pulled' });

        // A write whose view of the outbox predates that pull (it raced the round).
        const [third] = await change(id, 3);
        relay.kick({ model: Widgets, id, outbox: [...written, third as OutboxEntry] });
        await waitFor(async () => (await pendingOf(id)).length === 0, { description: 'third event pulled' });
        // Only stale, and alone in its round: a later kick's round proves it is over.
        relay.kick({ model: Widgets, id, outbox: written });
        const other = uniqueName('w');
        relay.kick({ model: Widgets, id: other, outbox: await widgetWith(other, 1) });
        await waitFor(() => sequencesOf(broker.published, other).length === 1, {
          description: 'later round',
        });
        expect(sequencesOf(broker.published, id)).toEqual([1, 2, 3]);
      } finally {
        await relay.stop();
      }
    });

    it('when the first carried event fails to publish, then the later ones stay in the document for the sweep', async () => {
      const broker = fakeBroker();
      const { logger, lines } = captureLogger();
      const relay = await started(broker, logger);
      try {
        const id = uniqueName('w');
        const written = await widgetWith(id, 1, 2, 3);
        broker.failing.add(written[0]?._id ?? '');
        relay.kick({ model: Widgets, id, outbox: written });
        await waitFor(() => lines.some((l) => l.msg === 'cannot publish, will retry'), {
          description: 'the failed publish',
        });
        expect(sequencesOf(broker.published, id)).toEqual([]);
        expect(await pendingOf(id)).toEqual([1, 2, 3]);

        broker.failing.clear();
        await relay.drained();
        expect(sequencesOf(broker.published, id)).toEqual([1, 2, 3]);
        expect(await pendingOf(id)).toEqual([]);
      } finally {
        await relay.stop();
      }
    });

    async function twoHintsInOneRound(order: 'in write order' | 'reversed') {
      const broker = fakeBroker();
      const relay = await started(broker);
      const reads = vi.spyOn(Widgets, 'findOne');
      try {
        // A round busy with another document, so both hints wait for the same next round.
        const busy = uniqueName('w');
        broker.held.add(busy);
        relay.kick({ model: Widgets, id: busy, outbox: await widgetWith(busy, 1) });
        await waitFor(() => broker.holding() === 1, { description: 'the round is held' });

        const id = uniqueName('w');
        const inserted = { model: Widgets, id, outbox: await widgetWith(id, 1) };
        const changed = { model: Widgets, id, outbox: await change(id, 2) };
        for (const hint of order === 'reversed' ? [changed, inserted] : [inserted, changed]) relay.kick(hint);
        broker.release();
        await waitFor(async () => (await pendingOf(id)).length === 0, { description: 'both events pulled' });
        expect(sequencesOf(broker.published, id)).toEqual([1, 2]);
        expect(reads).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
        await relay.stop();
      }
    }

    it("when several hints for one document reach one round, then the latest one's entries go out, each once", () =>
      twoHintsInOneRound('in write order'));

    it("when kicks arrive out of write order, then the earlier write's events do not wait for the sweep", () =>
      twoHintsInOneRound('reversed'));
  });
});
