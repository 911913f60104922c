import type { Condition, Priority } from '@helpdesk/contracts';
import { decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import type { Connection } from 'mongoose';
import {
  type AssignmentRule,
  type AssignmentRuleRepository,
  type AssignmentStrategy,
  MAX_RULES_PER_ORG,
} from '../domain/assignment-rule.ts';
import {
  type AssignmentRuleDoc,
  type AssignmentRuleModel,
  assignmentRuleModel,
} from './assignment-rule.model.ts';

const toRule = ({ _id, conditions, strategy, turns, ...rest }: AssignmentRuleDoc): AssignmentRule => ({
  id: _id,
  ...rest,
  conditions: {
    priorities: (conditions.priorities ?? null) as Priority[] | null,
    categoryIds: conditions.categoryIds ?? null,
    condition: (conditions.condition ?? null) as Condition | null,
  },
  strategy: strategy as AssignmentStrategy,
  turns: turns ?? 0,
});

const ORDER = { position: 1, _id: 1 } as const;

function afterCursor(cursor: string): Record<string, unknown> {
  const c = decodeCursor(cursor);
  if (typeof c.p !== 'number' || typeof c.id !== 'string') {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
  return { $or: [{ position: { $gt: c.p } }, { position: c.p, _id: { $gt: c.id } }] };
}

/** Creates the rules' collection and indexes, then answers for it. */
export async function createAssignmentRuleRepository(conn: Connection): Promise<AssignmentRuleRepository> {
  const Rules = assignmentRuleModel(conn);
  await Rules.createCollection();
  await Rules.createIndexes();
  return repository(Rules);
}

function repository(Rules: AssignmentRuleModel): AssignmentRuleRepository {
  return {
    async insert(rule) {
      const { id, ...fields } = rule;
      await Rules.create({ _id: id, ...fields });
    },

    async find(orgId, id) {
      const doc = await Rules.findOne({ _id: id, orgId }).lean<AssignmentRuleDoc>();
      return doc ? toRule(doc) : null;
    },

    async list(orgId, { limit, cursor }) {
      const filter = cursor ? { $and: [{ orgId }, afterCursor(cursor)] } : { orgId };
      const docs = await Rules.find(filter)
        .sort(ORDER)
        .limit(limit + 1)
        .lean<AssignmentRuleDoc[]>();
      const page = docs.slice(0, limit);
      const last = page.at(-1);
      return {
        results: page.map(toRule),
        next: docs.length > limit && last ? encodeCursor({ p: last.position, id: last._id }) : null,
      };
    },

    async inOrder(orgId, { activeOnly }) {
      const docs = await Rules.find(activeOnly ? { orgId, active: true } : { orgId })
        .sort(ORDER)
        .limit(MAX_RULES_PER_ORG)
        .lean<AssignmentRuleDoc[]>();
      return docs.map(toRule);
    },

    count: (orgId) => Rules.countDocuments({ orgId }),

    async lastPosition(orgId) {
      const doc = await Rules.findOne({ orgId }).sort({ position: -1 }).select({ position: 1 }).lean();
      return doc ? doc.position : null;
    },

    async update(orgId, id, set) {
      const doc = await Rules.findOneAndUpdate(
        { _id: id, orgId },
        { $set: set },
        { returnDocument: 'after' },
      ).lean<AssignmentRuleDoc>();
      return doc ? toRule(doc) : null;
    },

    async delete(orgId, id) {
      const r = await Rules.deleteOne({ _id: id, orgId });
      return r.deletedCount === 1;
    },

    async takeTurn(orgId, id) {
      const doc = await Rules.findOneAndUpdate(
        { _id: id, orgId },
        { $inc: { turns: 1 } },
        { returnDocument: 'after', projection: { turns: 1 } },
      ).lean<Pick<AssignmentRuleDoc, 'turns'>>();
      return doc ? doc.turns - 1 : null;
    },
  };
}
