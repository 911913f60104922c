import { z } from 'zod';

/**
 * A small JSON condition language over a flat record of fields (a ticket's `priority`,
 * `categoryId`, `tags`, `title`, ...), shared by assignment rules and SLA policies:
 *
 * - `{ "field": "priority", "equals": "high" }` (on an array field: some element equals it)
 * - `{ "field": "priority", "in": ["high", "critical"] }`
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

const ScalarSchema = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const FieldSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a field name');

export const MAX_CONDITION_DEPTH = 8;
export const MAX_CONDITION_NODES = 50;

export const ConditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.strictObject({ field: FieldSchema, equals: ScalarSchema }),
      z.strictObject({ field: FieldSchema, in: z.array(ScalarSchema).min(1).max(100) }),
      z.strictObject({ field: FieldSchema, contains: ScalarSchema }),
      z.strictObject({ and: z.array(ConditionSchema).min(1).max(20) }),
      z.strictObject({ or: z.array(ConditionSchema).min(1).max(20) }),
      z.strictObject({ not: ConditionSchema }),
    ]),
  )
  .superRefine((c, ctx) => {
    const { depth, nodes } = measure(c);
    if (depth > MAX_CONDITION_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_CONDITION_DEPTH} levels` });
    }
    if (nodes > MAX_CONDITION_NODES) {
      ctx.addIssue({ code: 'custom', message: `more than ${MAX_CONDITION_NODES} nodes` });
    }
  }) as z.ZodType<Condition>;

function measure(c: Condition): { depth: number; nodes: number } {
  const children = 'and' in c ? c.and : 'or' in c ? c.or : 'not' in c ? [c.not] : [];
  let depth = 0;
  let nodes = 1;
  for (const child of children) {
    const m = measure(child);
    depth = Math.max(depth, m.depth);
    nodes += m.nodes;
  }
  return { depth: depth + 1, nodes };
}

const same = (a: unknown, b: Scalar) => (a ?? null) === b;

/** True when `record` satisfies `condition`. */
export function evaluateCondition(condition: Condition, record: Record<string, unknown>): boolean {
  if ('and' in condition) return condition.and.every((c) => evaluateCondition(c, record));
  if ('or' in condition) return condition.or.some((c) => evaluateCondition(c, record));
  if ('not' in condition) return !evaluateCondition(condition.not, record);
  const value = Object.hasOwn(record, condition.field) ? record[condition.field] : null;
  if ('equals' in condition) {
    return Array.isArray(value)
      ? value.some((v) => same(v, condition.equals))
      : same(value, condition.equals);
  }
  if ('in' in condition) return condition.in.some((wanted) => same(value, wanted));
  const wanted = condition.contains;
  if (Array.isArray(value)) return value.some((v) => same(v, wanted));
  if (typeof value === 'string' && wanted !== null) {
    return value.toLowerCase().includes(String(wanted).toLowerCase());
  }
  return false;
}

/** Says in words why a condition holds or not, for dry runs. */
export function explainCondition(condition: Condition): string {
  if ('and' in condition) return `(${condition.and.map(explainCondition).join(' and ')})`;
  if ('or' in condition) return `(${condition.or.map(explainCondition).join(' or ')})`;
  if ('not' in condition) return `not ${explainCondition(condition.not)}`;
  if ('equals' in condition) return `${condition.field} = ${JSON.stringify(condition.equals)}`;
  if ('in' in condition) return `${condition.field} in ${JSON.stringify(condition.in)}`;
  return `${condition.field} contains ${JSON.stringify(condition.contains)}`;
}
