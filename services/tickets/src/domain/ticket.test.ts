import { TicketSnapshotSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import {
  firstResponseSeconds,
  newTicket,
  normalizeTags,
  parseTicketKey,
  resolutionSeconds,
  TAG_PATTERN,
  type Ticket,
  ticketKey,
  toSnapshot,
} from './ticket.ts';

const created = new Date('2030-01-01T00:00:00Z');
const after = (s: number) => new Date(created.getTime() + s * 1000);
const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  ...newTicket(
    {
      id: 't-1',
      orgId: 'org-a',
      number: 42,
      title: 'Printer',
      description: 'It is on fire',
      priority: 'high',
      requesterId: 'u-1',
      tags: ['hardware'],
    },
    created,
  ),
  commentCount: 3,
  publicCommentCount: 1,
  version: 5,
  publicVersion: 3,
  ...over,
});

describe('ticket keys', () => {
  it.each([
    [1, 'HD-000001'],
    [42, 'HD-000042'],
    [999_999, 'HD-999999'],
    [1_000_000, 'HD-1000000'],
  ])('when ticket number %i is shown, then its key is %s and reads back', (n, key) => {
    expect(ticketKey(n)).toBe(key);
    expect(parseTicketKey(key)).toBe(n);
  });

  it('when the key is typed in lower case or without the zero padding, then it still names the ticket', () => {
    expect(parseTicketKey('hd-000042')).toBe(42);
    expect(parseTicketKey('HD-42')).toBe(42);
  });

  it.each([
    '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    'HD-',
    'HD-12a',
    'XX-000001',
    ' HD-000001',
    'HD-000001/',
    'HD-1234567890123',
  ])('when %j is not a ticket key, then it is taken as an id', (s) => {
    expect(parseTicketKey(s)).toBeUndefined();
  });
});

describe('ticket durations', () => {
  it('when nothing happened yet, then there is no first response or resolution time', () => {
    expect(firstResponseSeconds(ticket())).toBeNull();
    expect(resolutionSeconds(ticket())).toBeNull();
  });

  it('when staff replied and the ticket was resolved, then both are whole seconds since creation', () => {
    const t = ticket({ firstResponseAt: after(90.4), resolvedAt: after(3600.6) });
    expect(firstResponseSeconds(t)).toBe(90);
    expect(resolutionSeconds(t)).toBe(3601);
  });
});

describe('ticket snapshot for events', () => {
  it('when a ticket is put in an event, then it fits the contract and carries no internal count or text', () => {
    const snap = toSnapshot(ticket({ resolvedAt: after(60) }));
    expect(TicketSnapshotSchema.strict().parse(snap)).toEqual(snap);
    expect(snap).toMatchObject({
      key: 'HD-000042',
      publicCommentCount: 1,
      resolvedAt: after(60).toISOString(),
    });
    expect(snap).not.toHaveProperty('commentCount');
    expect(snap).not.toHaveProperty('description');
  });
});

describe('tags', () => {
  it('when tags differ only in case or repeat, then one lower-case tag is kept, in first-seen order', () => {
    expect(normalizeTags(['VPN', 'vpn', 'Urgent', 'vpn'])).toEqual(['vpn', 'urgent']);
  });

  it.each([
    ['vpn', true],
    ['os:linux', true],
    ['v1.2_beta-3', true],
    ['späť', true],
    ['', false],
    ['two words', false],
    ['<script>', false],
    ['x'.repeat(51), false],
  ])('when the tag is %j, then it is accepted: %s', (tag, ok) => {
    expect(TAG_PATTERN.test(tag)).toBe(ok);
  });
});
