import type { Collection } from 'mongoose';
import type { OrgSettings, SettingsStore } from '../use-cases/ports.ts';
import { isDuplicateKey } from './reporting.models.ts';

interface SettingsDoc {
  _id: string;
  tz: string;
  gen: number;
  building: OrgSettings['building'];
  rev: number;
}

const DEFAULT = { tz: 'UTC', gen: 0, building: null, rev: 0 };

const toSettings = (orgId: string, d: SettingsDoc | null | undefined): OrgSettings =>
  d ? { orgId, tz: d.tz, gen: d.gen, building: d.building ?? null, rev: d.rev } : { orgId, ...DEFAULT };

export function createSettingsStore(col: Collection): SettingsStore {
  const get = async (orgId: string) =>
    toSettings(orgId, (await col.findOne({ _id: orgId as never })) as SettingsDoc | null);
  return {
    get,
    async getMany(orgIds) {
      const docs = (await col
        .find({ _id: { $in: orgIds as never[] } })
        .toArray()) as unknown as SettingsDoc[];
      const byId = new Map(docs.map((d) => [d._id, d]));
      return new Map(orgIds.map((id) => [id, toSettings(id, byId.get(id))]));
    },
    async claimBuild(orgId, tz, now, staleMs) {
      for (;;) {
        const cur = await get(orgId);
        if (cur.building && now.getTime() - new Date(cur.building.since).getTime() < staleMs) return null;
        const building = { gen: Math.max(cur.gen, cur.building?.gen ?? 0) + 1, tz, since: now };
        if (cur.rev === 0) {
          try {
            await col.insertOne({ _id: orgId as never, tz: cur.tz, gen: cur.gen, building, rev: 1 });
            return building;
          } catch (err) {
            if (!isDuplicateKey(err)) throw err;
            continue;
          }
        }
        const res = await col.updateOne(
          { _id: orgId as never, rev: cur.rev },
          { $set: { building, rev: cur.rev + 1 } },
        );
        if (res.matchedCount === 1) return building;
      }
    },
    async finishBuild(orgId, gen) {
      for (;;) {
        const cur = await get(orgId);
        if (cur.building?.gen !== gen) return false;
        const res = await col.updateOne(
          { _id: orgId as never, rev: cur.rev },
          { $set: { gen, tz: cur.building.tz, building: null, rev: cur.rev + 1 } },
        );
        if (res.matchedCount === 1) return true;
      }
    },
    async abandonBuild(orgId, gen) {
      for (;;) {
        const cur = await get(orgId);
        if (cur.building?.gen !== gen) return;
        const res = await col.updateOne(
          { _id: orgId as never, rev: cur.rev },
          { $set: { building: null, rev: cur.rev + 1 } },
        );
        if (res.matchedCount === 1) return;
      }
    },
    async orgIds() {
      return ((await col.distinct('_id')) as unknown as string[]).sort();
    },
  };
}
