import { ConflictError, decodeCursor, encodeCursor } from '@helpdesk/kit';
import { isDuplicateKeyError } from '@helpdesk/messaging';
import type { Category, CategoryRepository } from '../domain/ports.ts';
import type { CategoryDoc, CategoryModel } from './category.model.ts';

const toCategory = ({ _id, nameKey: _k, ...rest }: CategoryDoc): Category => ({ id: _id, ...rest });
const nameKey = (name: string) => name.trim().toLowerCase();
const duplicate = () =>
  new ConflictError('CATEGORY_NAME_TAKEN', 'Your org already has a category with this name.');

export function createCategoryRepository(Categories: CategoryModel): CategoryRepository {
  return {
    async insert(c) {
      const { id, ...fields } = c;
      try {
        await Categories.create({ _id: id, ...fields, nameKey: nameKey(c.name) });
      } catch (err) {
        if (isDuplicateKeyError(err)) throw duplicate();
        throw err;
      }
    },
    async find(orgId, id) {
      const doc = await Categories.findOne({ _id: id, orgId }).lean<CategoryDoc>();
      return doc ? toCategory(doc) : null;
    },
    async list(orgId, opts) {
      const filter: Record<string, unknown> = { orgId };
      if (opts.active !== undefined) filter.active = opts.active;
      if (opts.cursor) {
        const c = decodeCursor(opts.cursor);
        filter.$or = [
          { nameKey: { $gt: String(c.k) } },
          { nameKey: String(c.k), _id: { $gt: String(c.id) } },
        ];
      }
      const docs = await Categories.find(filter)
        .sort({ nameKey: 1, _id: 1 })
        .limit(opts.limit + 1)
        .lean<CategoryDoc[]>();
      const page = docs.slice(0, opts.limit);
      const last = page.at(-1);
      return {
        results: page.map(toCategory),
        next: docs.length > opts.limit && last ? encodeCursor({ k: last.nameKey, id: last._id }) : null,
      };
    },
    async update(orgId, id, set) {
      try {
        const doc = await Categories.findOneAndUpdate(
          { _id: id, orgId },
          { $set: { ...set, ...(set.name !== undefined ? { nameKey: nameKey(set.name) } : {}) } },
          { returnDocument: 'after' },
        ).lean<CategoryDoc>();
        return doc ? toCategory(doc) : null;
      } catch (err) {
        if (isDuplicateKeyError(err)) throw duplicate();
        throw err;
      }
    },
  };
}
