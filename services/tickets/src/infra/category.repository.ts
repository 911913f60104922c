import { ConflictError, decodeCursor, encodeCursor, ValidationError } from '@helpdesk/kit';
import { isDuplicateKeyError, outboxEntries, withOutbox } from '@helpdesk/messaging';
import type { Category, CategoryRepository } from '../domain/ports.ts';
import type { CategoryDoc, CategoryModel } from './category.model.ts';

const toCategory = ({ _id, nameKey: _k, outbox: _o, ...rest }: CategoryDoc): Category => ({
  id: _id,
  ...rest,
});
/** Case-insensitive and blind to Unicode composition: `Café` and `CAFÉ` are one name. */
const nameKey = (name: string) => name.trim().normalize('NFC').toLowerCase();
const duplicate = () =>
  new ConflictError('CATEGORY_NAME_TAKEN', 'Your org already has a category with this name.', {
    errors: [{ path: 'name', message: 'is taken by another category of your org' }],
  });

/** Turns E11000 on the `org_name` index into CATEGORY_NAME_TAKEN. */
async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw duplicate();
    throw err;
  }
}

/** `create` and `change` store the category and its `category.*` event in one document write. */
export function createCategoryRepository(Categories: CategoryModel): CategoryRepository {
  return {
    async create(c, events) {
      const { id, ...fields } = c;
      await uniqueName(() =>
        Categories.create({ _id: id, ...fields, nameKey: nameKey(c.name), outbox: outboxEntries(...events) }),
      );
    },

    async change(read, set, events) {
      const update = withOutbox<CategoryDoc>(
        {
          $set: {
            ...set,
            ...(set.name !== undefined ? { nameKey: nameKey(set.name) } : {}),
            version: read.version + 1,
          },
        },
        ...events,
      );
      const doc = await uniqueName(() =>
        Categories.findOneAndUpdate({ _id: read.id, orgId: read.orgId, version: read.version }, update, {
          returnDocument: 'after',
        }).lean<CategoryDoc>(),
      );
      return doc ? toCategory(doc) : null;
    },

    async find(orgId, id) {
      const doc = await Categories.findOne({ _id: id, orgId }).lean<CategoryDoc>();
      return doc ? toCategory(doc) : null;
    },

    async list(orgId, opts) {
      const filter: Record<string, unknown> = { orgId };
      if (opts.active !== undefined) filter.active = opts.active;
      if (opts.cursor) {
        const { k, id } = decodeCursor(opts.cursor);
        if (typeof k !== 'string' || typeof id !== 'string') {
          throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
        }
        filter.$or = [{ nameKey: { $gt: k } }, { nameKey: k, _id: { $gt: id } }];
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
  };
}
