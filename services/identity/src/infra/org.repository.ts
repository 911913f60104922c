import type { OrgRepository } from '../domain/ports.ts';
import type { OrgModel } from './org.model.ts';

export function createOrgRepository(Orgs: OrgModel): OrgRepository {
  return {
    async create(org) {
      try {
        await Orgs.create({ _id: org.id, name: org.name, createdAt: org.createdAt });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    },
    async ensure(org) {
      await Orgs.updateOne(
        { _id: org.id },
        { $setOnInsert: { name: org.name, createdAt: org.createdAt } },
        { upsert: true },
      );
    },
    async exists(id) {
      return (await Orgs.exists({ _id: id })) !== null;
    },
    async remove(id) {
      await Orgs.deleteOne({ _id: id });
    },
  };
}
