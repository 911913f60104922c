import { v7 as uuidv7 } from 'uuid';
import type { SlaPolicy } from '../domain/policy-config.ts';
import type { PolicyStore } from '../use-cases/config-ports.ts';
import type { PolicyDoc, PolicyModel } from './policy.model.ts';

const toPolicy = ({ _id, ...rest }: PolicyDoc): SlaPolicy => ({ id: _id, ...rest });

export function createPolicyStore(Policies: PolicyModel): PolicyStore {
  return {
    async create(orgId, p) {
      const now = new Date();
      const doc: PolicyDoc = { _id: uuidv7(), orgId, ...p, version: 1, createdAt: now, updatedAt: now };
      await Policies.create(doc);
      return toPolicy(doc);
    },

    async list(orgId) {
      const docs = await Policies.find({ orgId })
        .sort({ position: 1, createdAt: 1, _id: 1 })
        .lean<PolicyDoc[]>();
      return docs.map(toPolicy);
    },

    async get(orgId, id) {
      const doc = await Policies.findOne({ _id: id, orgId }).lean<PolicyDoc>();
      return doc ? toPolicy(doc) : null;
    },

    async update(orgId, id, p) {
      const doc = await Policies.findOneAndUpdate(
        { _id: id, orgId },
        { $set: { ...p, updatedAt: new Date() }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ).lean<PolicyDoc>();
      return doc ? toPolicy(doc) : null;
    },

    async delete(orgId, id) {
      const r = await Policies.deleteOne({ _id: id, orgId });
      return r.deletedCount === 1;
    },
  };
}
