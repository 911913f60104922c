import type { Envelope } from '@helpdesk/contracts';
import { testServers, uniqueDbUrl, waitFor } from '@helpdesk/testkit';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnvelope } from '../src/envelope.ts';
import { outboxEntries } from '../src/outbox.ts';
import { startOutboxRelay } from '../src/outbox-relay.ts';
import { widgetModel } from './fixtures/widget.model.ts';
import { uniqueName } from './support.ts';

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

/** A broker that fails the events named in `failing` until they are removed from it. */
function fakeBroker() {
  const published: Envelope[] = [];
  const failing = new Set<string>();
  return {
    published,
    failing,
    async publish(envelope: Envelope) {
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
});
