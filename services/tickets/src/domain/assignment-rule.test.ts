import { describe, expect, it } from 'vitest';
import {
  type AssignmentRule,
  conditionRecord,
  isAssignable,
  leastLoadedPick,
  matchRule,
  type RuleConditions,
  roundRobinPick,
} from './assignment-rule.ts';
import type { KnownUser } from './ports.ts';

const ticket = {
  priority: 'high' as const,
  categoryId: 'cat-hw',
  title: 'Laptop broken',
  description: 'screen flickers',
  tags: ['vip'],
  requesterId: 'u-req',
};
const record = conditionRecord(ticket, 'user');
const rule = (c: Partial<RuleConditions>): Pick<AssignmentRule, 'conditions'> => ({
  conditions: { priorities: null, categoryIds: null, condition: null, ...c },
});

describe('conditionRecord', () => {
  it('when a ticket is turned into condition fields, then category and requester appear under both names', () => {
    expect(record).toEqual({
      priority: 'high',
      category: 'cat-hw',
      categoryId: 'cat-hw',
      title: 'Laptop broken',
      description: 'screen flickers',
      tags: ['vip'],
      requester: 'u-req',
      requesterRole: 'user',
    });
  });
});

describe('matchRule', () => {
  it('when a rule sets no conditions, then every ticket matches', () => {
    expect(matchRule(rule({}), record)).toEqual({
      matched: true,
      reasons: ['no conditions: every ticket matches'],
    });
  });

  it('when the priority is not listed, then the rule fails and says so', () => {
    expect(matchRule(rule({ priorities: ['low'] }), record)).toEqual({
      matched: false,
      reasons: ['priority high not in [low]'],
    });
    expect(matchRule(rule({ priorities: ['high', 'critical'] }), record).matched).toBe(true);
  });

  it('when the category is not listed, then the rule fails; a ticket without one shows as none', () => {
    expect(matchRule(rule({ categoryIds: ['cat-hw'] }), record).reasons).toEqual([
      'category cat-hw in [cat-hw]',
    ]);
    const none = conditionRecord({ ...ticket, categoryId: null }, null);
    expect(matchRule(rule({ categoryIds: ['cat-hw'] }), none)).toEqual({
      matched: false,
      reasons: ['category none not in [cat-hw]'],
    });
  });

  it('when the JSON condition fails, then the reason quotes it', () => {
    const vip = matchRule(rule({ condition: { field: 'tags', contains: 'gold' } }), record);
    expect(vip).toEqual({ matched: false, reasons: ['condition (tags contains "gold") false'] });
    const both = matchRule(
      rule({
        condition: {
          and: [
            { field: 'requesterRole', equals: 'user' },
            { field: 'title', contains: 'laptop' },
          ],
        },
      }),
      record,
    );
    expect(both).toEqual({
      matched: true,
      reasons: ['condition (requesterRole = "user" and title contains "laptop") true'],
    });
  });

  it('when several conditions are set, then all must hold and each gives its reason', () => {
    const r = matchRule(
      rule({ priorities: ['high'], categoryIds: ['cat-net'], condition: { field: 'tags', contains: 'vip' } }),
      record,
    );
    expect(r).toEqual({
      matched: false,
      reasons: [
        'priority high in [high]',
        'category cat-hw not in [cat-net]',
        'condition (tags contains "vip") true',
      ],
    });
  });
});

describe('strategies', () => {
  it('when round-robin turns go by, then the eligible agents take them in order, wrapping around', () => {
    const picks = [0, 1, 2, 3, 4, 5, 6].map((turn) => roundRobinPick(['a', 'b', 'c'], turn));
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    expect(roundRobinPick([], 3)).toBeUndefined();
  });

  it('when agents carry different loads, then the least loaded wins and a tie goes to the first listed', () => {
    expect(
      leastLoadedPick(
        ['a', 'b', 'c'],
        new Map([
          ['a', 3],
          ['b', 1],
          ['c', 2],
        ]),
      ),
    ).toBe('b');
    expect(
      leastLoadedPick(
        ['a', 'b', 'c'],
        new Map([
          ['a', 2],
          ['b', 1],
          ['c', 1],
        ]),
      ),
    ).toBe('b');
    expect(
      leastLoadedPick(
        ['c', 'b'],
        new Map([
          ['b', 1],
          ['c', 1],
        ]),
      ),
    ).toBe('c');
    expect(leastLoadedPick(['a', 'b'], new Map([['b', 1]]))).toBe('a');
  });

  it('when a user is inactive or a customer, then nobody may be assigned to them', () => {
    const u = (over: Partial<KnownUser>): KnownUser => ({
      id: 'u',
      orgId: 'o',
      username: 'u',
      email: '',
      firstName: '',
      lastName: '',
      role: 'agent',
      active: true,
      ...over,
    });
    expect(isAssignable(u({}))).toBe(true);
    expect(isAssignable(u({ role: 'admin' }))).toBe(true);
    expect(isAssignable(u({ active: false }))).toBe(false);
    expect(isAssignable(u({ role: 'user' }))).toBe(false);
    expect(isAssignable(undefined)).toBe(false);
  });
});
