import { Connection } from '@temporalio/client';
import amqp from 'amqplib';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvents, EVENTS_EXCHANGE, testServers, uniqueDbUrl } from './index.ts';

const servers = testServers();

describe('MongoDB server', () => {
  const connection = mongoose.createConnection();
  const Counter = connection.model(
    'Counter',
    new mongoose.Schema({ orgId: { type: String, required: true }, seq: { type: Number, default: 0 } }),
  );
  const Ticket = connection.model(
    'Ticket',
    new mongoose.Schema({
      orgId: { type: String, required: true },
      number: { type: String, required: true },
      createdAt: { type: Date, required: true },
      watchers: { type: [String], default: [] },
    }).index({ orgId: 1, number: 1 }, { unique: true }),
  );

  beforeAll(async () => {
    await connection.openUri(uniqueDbUrl(servers.mongoUrl, 'testkit'));
    await Ticket.init();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('when a counter is incremented twice with upsert, then it holds 2', async () => {
    const inc = () =>
      Counter.findOneAndUpdate({ orgId: 'org-1' }, { $inc: { seq: 1 } }, { upsert: true, new: true }).lean();
    await inc();
    const second = await inc();
    expect(second?.seq).toBe(2);
  });

  it('when a duplicate key is inserted, then the server answers E11000', async () => {
    await Ticket.create({ orgId: 'org-1', number: 'HD-000001', createdAt: new Date() });
    await expect(
      Ticket.create({ orgId: 'org-1', number: 'HD-000001', createdAt: new Date() }),
    ).rejects.toMatchObject({ code: 11000 });
  });

  it('when tickets are listed sorted with a limit, then the newest come first', async () => {
    const base = Date.parse('2030-01-01T00:00:00Z');
    await Ticket.insertMany(
      [2, 3, 4].map((n) => ({
        orgId: 'org-2',
        number: `HD-00000${n}`,
        createdAt: new Date(base + n * 1000),
      })),
    );
    const newest = await Ticket.find({ orgId: 'org-2' }).sort({ createdAt: -1 }).limit(2).lean();
    expect(newest.map((t) => t.number)).toEqual(['HD-000004', 'HD-000003']);
  });

  it('when watchers are pushed and one is pulled, then the array keeps the others', async () => {
    const { _id } = await Ticket.create({ orgId: 'org-3', number: 'HD-000010', createdAt: new Date() });
    await Ticket.updateOne({ _id }, { $push: { watchers: { $each: ['a', 'b', 'c'] } } });
    await Ticket.updateOne({ _id }, { $pull: { watchers: 'b' } });
    const stored = await Ticket.findById(_id).lean();
    expect(stored?.watchers).toEqual(['a', 'c']);
  });
});

describe('RabbitMQ server', () => {
  it('when an event is published on a confirm channel, then a bound queue receives it', async () => {
    const collector = await collectEvents(servers.amqpUrl, ['testkit.*']);
    const connection = await amqp.connect(servers.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const body = { id: 'evt-1', type: 'testkit.pinged' };
      channel.publish(EVENTS_EXCHANGE, 'testkit.pinged', Buffer.from(JSON.stringify(body)), {
        persistent: true,
        messageId: 'evt-1',
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
      const received = await collector.waitFor((event) => event.messageId === 'evt-1');
      expect(received).toMatchObject({ routingKey: 'testkit.pinged', body });
    } finally {
      await connection.close();
      await collector.close();
    }
  });

  it('when a quorum queue with a delivery limit is declared, then the broker accepts it', async () => {
    const connection = await amqp.connect(servers.amqpUrl);
    const name = `testkit.quorum-${process.pid}-${Date.now()}`;
    try {
      const channel = await connection.createChannel();
      const ok = await channel.assertQueue(name, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 },
      });
      expect(ok.queue).toBe(name);
      // Redeclaring as classic must fail: proof the broker really made it a quorum queue.
      const probe = await connection.createChannel();
      probe.on('error', () => {});
      await expect(probe.assertQueue(name, { durable: true })).rejects.toThrow(/PRECONDITION_FAILED/);
      await channel.deleteQueue(name);
    } finally {
      await connection.close();
    }
  });
});

describe('Temporal server', () => {
  it('when a client connects, then the helpdesk namespace is served', async () => {
    const connection = await Connection.connect({ address: servers.temporalAddress });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({
        namespace: servers.temporalNamespace,
      });
      expect(namespaceInfo?.name).toBe('helpdesk');
    } finally {
      await connection.close();
    }
  });
});
