import { applyIfNewer } from '@helpdesk/messaging';
import type { CategoryViews } from '../use-cases/ports.ts';
import type { CategoryViewDoc, CategoryViewModel } from './category-view.model.ts';

export function createCategoryViews(Categories: CategoryViewModel): CategoryViews {
  return {
    record(c, sequence) {
      const fields = { orgId: c.orgId, name: c.name, defaultSlaHours: c.defaultSlaHours, active: c.active };
      return applyIfNewer(Categories, { _id: c.id }, sequence, { $set: fields }, { upsert: true });
    },

    async defaultSlaHours(orgId, categoryId) {
      const doc = await Categories.findOne({ _id: categoryId, orgId }, { defaultSlaHours: 1 }).lean<
        Pick<CategoryViewDoc, 'defaultSlaHours'>
      >();
      return doc?.defaultSlaHours ?? null;
    },
  };
}
