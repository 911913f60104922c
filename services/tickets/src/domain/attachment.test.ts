import { describe, expect, it } from 'vitest';
import { ATTACHMENT_FIELD, recordedAttachmentIds } from './attachment.ts';
import type { HistoryEntry } from './ticket.ts';

const entry = (field: string, value: unknown, internal = false): HistoryEntry => ({
  at: new Date('2030-01-01T00:00:00Z'),
  actorId: 'agent-1',
  actorRole: 'agent',
  field,
  old: null,
  new: value,
  internal,
});

describe('recordedAttachmentIds', () => {
  it('when the history records files, then their ids come back in order, internal ones included', () => {
    const history = [
      entry('created', { number: 1 }),
      entry(ATTACHMENT_FIELD, { id: 'a1', filename: 'a.png' }),
      entry('title', 'New title'),
      entry(ATTACHMENT_FIELD, { id: 'a2', filename: 'b.png', commentId: 'c1' }, true),
    ];
    expect(recordedAttachmentIds(history)).toEqual(['a1', 'a2']);
  });

  it('when another field carries an id, or an attachment entry has none, then nothing is taken from it', () => {
    const history = [
      entry('assigned_to', { id: 'u1' }),
      entry(ATTACHMENT_FIELD, null),
      entry(ATTACHMENT_FIELD, { id: 7 }),
    ];
    expect(recordedAttachmentIds(history)).toEqual([]);
  });
});
