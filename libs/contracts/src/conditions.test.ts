import { describe, expect, it } from 'vitest';
import {
  type Condition,
  ConditionSchema,
  conditionFields,
  evaluateCondition,
  explainCondition,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_NODES,
} from './conditions.ts';

const ticket = {
  priority: 'high',
  categoryId: 'cat-1',
  title: 'Printer on FIRE',
  tags: ['vip', 'printer'],
  escalationLevel: 2,
  urgent: true,
  empty: [],
  nothing: null,
};
const holds = (c: Condition, record: Record<string, unknown> = ticket) => evaluateCondition(c, record);

/** `{ not: { not: ... leaf } }` with `levels` levels in all. */
const nested = (levels: number): unknown => {
  let c: unknown = { field: 'priority', equals: 'high' };
  for (let i = 1; i < levels; i++) c = { not: c };
  return c;
};

describe('evaluateCondition', () => {
  it('when equals compares a scalar field, then only the same value and type holds', () => {
    expect(holds({ field: 'priority', equals: 'high' })).toBe(true);
    expect(holds({ field: 'priority', equals: 'HIGH' })).toBe(false);
    expect(holds({ field: 'escalationLevel', equals: 2 })).toBe(true);
    expect(holds({ field: 'escalationLevel', equals: '2' })).toBe(false);
    expect(holds({ field: 'urgent', equals: true })).toBe(true);
    expect(holds({ field: 'urgent', equals: false })).toBe(false);
  });

  it('when equals compares an array field, then some element must equal the value', () => {
    expect(holds({ field: 'tags', equals: 'printer' })).toBe(true);
    expect(holds({ field: 'tags', equals: 'network' })).toBe(false);
    expect(holds({ field: 'empty', equals: 'x' })).toBe(false);
  });

  it('when a field is missing or null, then it equals null and nothing else', () => {
    expect(holds({ field: 'assigneeId', equals: null })).toBe(true);
    expect(holds({ field: 'nothing', equals: null })).toBe(true);
    expect(holds({ field: 'assigneeId', equals: 'u-1' })).toBe(false);
    expect(holds({ field: 'assigneeId', in: [null, 'u-1'] })).toBe(true);
    expect(holds({ field: 'assigneeId', contains: 'x' })).toBe(false);
    expect(holds({ field: 'undefinedField', equals: null }, { undefinedField: undefined })).toBe(true);
  });

  it('when a field name is only on the prototype, then it counts as missing', () => {
    expect(holds({ field: 'constructor', equals: null })).toBe(true);
    expect(holds({ field: 'toString', contains: 'function' })).toBe(false);
  });

  it('when in lists values, then a scalar field must be one of them', () => {
    expect(holds({ field: 'priority', in: ['high', 'critical'] })).toBe(true);
    expect(holds({ field: 'priority', in: ['low', 'medium'] })).toBe(false);
    expect(holds({ field: 'escalationLevel', in: [1, 2] })).toBe(true);
  });

  it('when in is applied to an array field, then some element must be in the list', () => {
    expect(holds({ field: 'tags', in: ['gold', 'vip'] })).toBe(true);
    expect(holds({ field: 'tags', in: ['gold', 'silver'] })).toBe(false);
    expect(holds({ field: 'empty', in: ['gold'] })).toBe(false);
  });

  it('when contains looks into an array, then an element must be exactly the value', () => {
    expect(holds({ field: 'tags', contains: 'vip' })).toBe(true);
    expect(holds({ field: 'tags', contains: 'vi' })).toBe(false);
    expect(holds({ field: 'empty', contains: 'vip' })).toBe(false);
  });

  it('when contains looks into a string, then it is a case-insensitive substring test', () => {
    expect(holds({ field: 'title', contains: 'fire' })).toBe(true);
    expect(holds({ field: 'title', contains: 'PRINTER ON' })).toBe(true);
    expect(holds({ field: 'title', contains: 'scanner' })).toBe(false);
    expect(holds({ field: 'title', contains: null })).toBe(false);
    expect(holds({ field: 'code', contains: 42 }, { code: 'ERR-4242' })).toBe(true);
  });

  it('when contains is applied to a number or boolean field, then it never holds', () => {
    expect(holds({ field: 'escalationLevel', contains: 2 })).toBe(false);
    expect(holds({ field: 'urgent', contains: true })).toBe(false);
  });

  it('when and, or, not combine conditions, then they follow boolean logic', () => {
    const high = { field: 'priority', equals: 'high' } as const;
    const low = { field: 'priority', equals: 'low' } as const;
    expect(holds({ and: [high, { field: 'tags', contains: 'vip' }] })).toBe(true);
    expect(holds({ and: [high, low] })).toBe(false);
    expect(holds({ or: [low, high] })).toBe(true);
    expect(holds({ or: [low, { field: 'tags', contains: 'gold' }] })).toBe(false);
    expect(holds({ not: low })).toBe(true);
    expect(holds({ not: high })).toBe(false);
    expect(holds({ not: { and: [high, { not: low }] } })).toBe(false);
  });
});

describe('ConditionSchema', () => {
  const issues = (v: unknown) => {
    const r = ConditionSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('when a condition is valid, then it parses to a copy holding only the language', () => {
    const input = { and: [{ field: 'priority', in: ['high'] }, { not: { field: 'tags', contains: 'x' } }] };
    const r = ConditionSchema.parse(input);
    expect(r).toEqual(input);
    expect(r).not.toBe(input);
    expect(ConditionSchema.parse({ field: 'assigneeId', equals: null })).toEqual({
      field: 'assigneeId',
      equals: null,
    });
  });

  it('when a key is unknown or two operators are given, then that key is named', () => {
    expect(issues({ field: 'priority', equals: 'high', in: ['x'] })).toEqual([
      { path: 'in', message: 'is not allowed here' },
    ]);
    expect(issues({ and: [{ field: 'a', equals: 1 }], or: [] })).toEqual([
      { path: 'or', message: 'is not allowed here' },
    ]);
    expect(issues({ and: [{ field: 'a', equalz: 1 }] })[0]?.path).toBe('and.0');
  });

  it('when the shape is wrong, then the message lists the forms a condition takes', () => {
    for (const bad of [null, 'priority = high', [], { field: 'priority' }, {}]) {
      const [first] = issues(bad);
      expect(first?.message).toMatch(/\{field, equals\|in\|contains\}/);
    }
  });

  it('when a field name, list or value is out of bounds, then the spot is reported', () => {
    expect(issues({ field: 'ti tle', equals: 'x' })).toEqual([
      { path: 'field', message: expect.stringMatching(/field name/) },
    ]);
    expect(issues({ field: 'tags', in: [] })[0]?.path).toBe('in');
    expect(issues({ field: 'tags', in: Array(101).fill('x') })[0]?.path).toBe('in');
    expect(issues({ field: 'tags', in: ['ok', { x: 1 }] })[0]?.path).toBe('in.1');
    expect(issues({ field: 'title', contains: 'x'.repeat(501) })[0]?.path).toBe('contains');
    expect(issues({ field: 'title', equals: ['a'] })[0]?.path).toBe('equals');
    expect(issues({ and: [] })[0]?.path).toBe('and');
    expect(issues({ or: Array(21).fill({ field: 'a', equals: 1 }) })[0]?.path).toBe('or');
  });

  it(`when a condition is ${MAX_CONDITION_DEPTH} levels deep, then it is accepted, and one more is refused`, () => {
    expect(ConditionSchema.safeParse(nested(MAX_CONDITION_DEPTH)).success).toBe(true);
    expect(issues(nested(MAX_CONDITION_DEPTH + 1))).toEqual([
      { path: Array(MAX_CONDITION_DEPTH).fill('not').join('.'), message: 'nested deeper than 8 levels' },
    ]);
  });

  it('when a hostile body nests a hundred thousand levels, then it is refused without overflowing the stack', () => {
    const n = 100_000;
    const deep = JSON.parse(`${'{"not":'.repeat(n)}{"field":"a","equals":1}${'}'.repeat(n)}`);
    expect(issues(deep)).toEqual([{ path: expect.any(String), message: 'nested deeper than 8 levels' }]);
  });

  it(`when a condition has ${MAX_CONDITION_NODES} nodes, then it is accepted, and one more is refused once`, () => {
    const leaf = { field: 'a', equals: 1 };
    // 1 `or` + 2 `and` nodes + 47 leaves = 50 nodes.
    const fifty = {
      or: [{ and: Array(20).fill(leaf) }, { and: Array(20).fill(leaf) }, ...Array(7).fill(leaf)],
    };
    expect(ConditionSchema.safeParse(fifty).success).toBe(true);
    const fiftyOne = { ...fifty, or: [...fifty.or, leaf] };
    expect(issues(fiftyOne)).toEqual([{ path: '', message: 'more than 50 nodes' }]);
  });
});

describe('explainCondition and conditionFields', () => {
  const c: Condition = {
    and: [
      { field: 'priority', in: ['high', 'critical'] },
      { or: [{ field: 'tags', contains: 'vip' }, { not: { field: 'categoryId', equals: null } }] },
    ],
  };

  it('when a condition is explained, then every operator is spelled out with its values', () => {
    expect(explainCondition(c)).toBe(
      '(priority in ["high","critical"] and (tags contains "vip" or not categoryId = null))',
    );
  });

  it('when the fields of a condition are listed, then each appears once', () => {
    expect(conditionFields({ and: [c, { field: 'tags', equals: 'x' }] }).sort()).toEqual([
      'categoryId',
      'priority',
      'tags',
    ]);
  });
});
