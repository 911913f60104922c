import { z } from 'zod';

/**
 * A small JSON condition language over a flat record of fields (a ticket's `priority`,
 * `categoryId`, `tags`, `title`, ...), shared by assignment rules and SLA policies:
 *
 * - `{ "field": "priority", "equals": "high" }` (on an array field: some element equals it)
 * - `{ "field": "priority", "in": ["high", "critical"] }` (on an array field: some element is in the list)
 * - `{ "field": "tags", "contains": "vip" }`: an array holds the value, or a string holds it as a
 *   case-insensitive substring
 * - `{ "and": [c, ...] }`, `{ "or": [c, ...] }`, `{ "not": c }`
 *
 * A missing field equals `null`. Nesting is limited to 8 levels and 50 nodes, so a stored
 * condition stays cheap to evaluate.
 */
export type Condition =
  | { field: string; equals: Scalar }
  | { field: string; in: Scalar[] }
  | { field: string; contains: Scalar }
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition };

type Scalar = string | number | boolean | null;

export const MAX_CONDITION_DEPTH = 8;
export const MAX_CONDITION_NODES = 50;
const MAX_CHILDREN = 20;
const MAX_IN_VALUES = 100;
const MAX_STRING = 500;
const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const SHAPES = '{field, equals|in|contains}, {and: [...]}, {or: [...]} or {not: ...}';

interface Issue {
  path: (string | number)[];
  message: string;
}

/*
 * Checked by hand rather than with a recursive zod union: the union overflows the stack (a 500)
 * on deeply nested input before any depth limit can apply, breaks the OpenAPI generator, and
 * answers every mistake with "Invalid input". This walk stops at the limits and names the
 * offending key.
 */
class ConditionChecker {
  readonly issues: Issue[] = [];
  private nodes = 0;

  node(v: unknown, path: Issue['path'], depth: number): Condition | undefined {
    if (depth > MAX_CONDITION_DEPTH)
      return this.fail(path, `nested deeper than ${MAX_CONDITION_DEPTH} levels`);
    if (++this.nodes > MAX_CONDITION_NODES) {
      if (this.nodes === MAX_CONDITION_NODES + 1) this.fail([], `more than ${MAX_CONDITION_NODES} nodes`);
      return undefined;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return this.fail(path, `a condition is an object: ${SHAPES}`);
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    const has = (k: string) => Object.hasOwn(o, k);
    const only = (...allowed: string[]) => {
      const extra = keys.filter((k) => !allowed.includes(k));
      for (const k of extra) this.fail([...path, k], 'is not allowed here');
      return extra.length === 0;
    };
    if (has('and') || has('or')) {
      const op = has('and') ? 'and' : 'or';
      if (!only(op)) return undefined;
      const list = this.list(o[op], [...path, op], MAX_CHILDREN);
      const children = list?.map((c, i) => this.node(c, [...path, op, i], depth + 1));
      if (!children || children.some((c) => c === undefined)) return undefined;
      return (op === 'and' ? { and: children } : { or: children }) as Condition;
    }
    if (has('not')) {
      if (!only('not')) return undefined;
      const inner = this.node(o.not, [...path, 'not'], depth + 1);
      return inner && { not: inner };
    }
    const op = (['equals', 'in', 'contains'] as const).find(has);
    if (!has('field') || !op) return this.fail(path, `a condition is one of ${SHAPES}`);
    if (!only('field', op)) return undefined;
    const field = o.field;
    if (typeof field !== 'string' || !FIELD_PATTERN.test(field)) {
      return this.fail([...path, 'field'], 'a field name (letters, digits, _; at most 64)');
    }
    if (op === 'in') {
      const values = this.list(o.in, [...path, 'in'], MAX_IN_VALUES);
      const scalars = values?.map((x, i) => this.scalar(x, [...path, 'in', i]));
      if (!scalars || scalars.some((s) => s === undefined)) return undefined;
      return { field, in: scalars as Scalar[] };
    }
    const value = this.scalar(o[op], [...path, op]);
    if (value === undefined) return undefined;
    return op === 'equals' ? { field, equals: value } : { field, contains: value };
  }

  private list(v: unknown, path: Issue['path'], max: number): unknown[] | undefined {
    if (!Array.isArray(v) || v.length === 0 || v.length > max) {
      return this.fail(path, `a list of 1 to ${max} items`);
    }
    return v;
  }

  private scalar(v: unknown, path: Issue['path']): Scalar | undefined {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.length <= MAX_STRING) return v;
    return this.fail(path, `a string (at most ${MAX_STRING} characters), number, boolean or null`);
  }

  private fail(path: Issue['path'], message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }
}

/** Parses a condition; the output is a fresh copy holding nothing but the language's keys. */
export const ConditionSchema: z.ZodType<Condition> = z
  .unknown()
  .transform((v, ctx) => {
    const checker = new ConditionChecker();
    const parsed = checker.node(v, [], 1);
    for (const issue of checker.issues) ctx.addIssue({ code: 'custom', ...issue });
    return (parsed ?? z.NEVER) as Condition;
  })
  .meta({
    description: `A condition: ${SHAPES}; at most ${MAX_CONDITION_DEPTH} levels and ${MAX_CONDITION_NODES} nodes.`,
    example: {
      and: [
        { field: 'priority', in: ['high', 'critical'] },
        { field: 'tags', contains: 'vip' },
      ],
    },
  });

/** The field names a condition reads. */
export function conditionFields(condition: Condition): string[] {
  if ('and' in condition) return [...new Set(condition.and.flatMap(conditionFields))];
  if ('or' in condition) return [...new Set(condition.or.flatMap(conditionFields))];
  if ('not' in condition) return conditionFields(condition.not);
  return [condition.field];
}

const same = (a: unknown, b: Scalar) => (a ?? null) === b;

/** True when `record` satisfies `condition`. */
export function evaluateCondition(condition: Condition, record: Record<string, unknown>): boolean {
  if ('and' in condition) return condition.and.every((c) => evaluateCondition(c, record));
  if ('or' in condition) return condition.or.some((c) => evaluateCondition(c, record));
  if ('not' in condition) return !evaluateCondition(condition.not, record);
  const value = Object.hasOwn(record, condition.field) ? record[condition.field] : null;
  const some = (pred: (v: unknown) => boolean) => (Array.isArray(value) ? value.some(pred) : pred(value));
  if ('equals' in condition) return some((v) => same(v, condition.equals));
  if ('in' in condition) return some((v) => condition.in.some((wanted) => same(v, wanted)));
  const wanted = condition.contains;
  if (Array.isArray(value)) return value.some((v) => same(v, wanted));
  if (typeof value === 'string' && wanted !== null) {
    return value.toLowerCase().includes(String(wanted).toLowerCase());
  }
  return false;
}

/** Says in words what a condition asks, for dry runs. */
export function explainCondition(condition: Condition): string {
  if ('and' in condition) return `(${condition.and.map(explainCondition).join(' and ')})`;
  if ('or' in condition) return `(${condition.or.map(explainCondition).join(' or ')})`;
  if ('not' in condition) return `not ${explainCondition(condition.not)}`;
  if ('equals' in condition) return `${condition.field} = ${JSON.stringify(condition.equals)}`;
  if ('in' in condition) return `${condition.field} in ${JSON.stringify(condition.in)}`;
  return `${condition.field} contains ${JSON.stringify(condition.contains)}`;
}
