import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { makeEnvelope } from './envelope.ts';
import { outboxEntries, outboxPlugin, withOutbox } from './outbox.ts';

const event = (sequence: number) =>
  makeEnvelope({
    type: 'ticket.updated',
    orgId: 'org-1',
    aggregateId: 'ticket-1',
    sequence,
    actor: { type: 'system', id: 'test' },
    data: { sequence },
  });

describe('withOutbox', () => {
  it('pushes the events next to the change, keeping the other operators', () => {
    const first = event(1);
    const update = withOutbox({ $set: { title: 'x' }, $inc: { sequence: 1 } }, first);
    expect(update.$set).toEqual({ title: 'x' });
    expect(update.$inc).toEqual({ sequence: 1 });
    expect(update.$push).toEqual({
      outbox: { $each: [{ _id: first.id, envelope: first, at: expect.any(Date) }] },
    });
  });

  it('keeps other pushes and earlier outbox entries', () => {
    const [a, b, c] = [event(1), event(2), event(3)];
    const once = withOutbox({ $push: { history: { what: 'x' } } }, a, b);
    const twice = withOutbox(once, c);
    expect(twice.$push?.history).toEqual({ what: 'x' });
    const push = twice.$push as { outbox: { $each: { _id: string }[] } };
    const each = push.outbox.$each;
    expect(each.map((entry) => entry._id)).toEqual([a.id, b.id, c.id]);
  });

  it('leaves the update alone without events', () => {
    const update = { $set: { title: 'x' } };
    expect(withOutbox(update)).toBe(update);
  });
});

describe('outboxEntries', () => {
  it('keys each entry by its envelope id', () => {
    const [a, b] = [event(1), event(2)];
    expect(outboxEntries(a, b).map((entry) => [entry._id, entry.envelope])).toEqual([
      [a.id, a],
      [b.id, b],
    ]);
  });
});

describe('outboxPlugin', () => {
  it('adds an unselected outbox array and a partial index over pending entries', () => {
    const schema = new Schema({ title: String });
    outboxPlugin(schema);
    const path = schema.path('outbox');
    expect(path.instance).toBe('Array');
    expect(path.options.select).toBe(false);
    expect(schema.indexes()).toContainEqual([
      { 'outbox.at': 1 },
      expect.objectContaining({ partialFilterExpression: { 'outbox.at': { $exists: true } } }),
    ]);
  });
});
