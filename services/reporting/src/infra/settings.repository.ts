import type { Collection } from 'mongoose';
import type { OrgSettings, SettingsStore } from '../use-cases/ports.ts';
import { isDuplicateKey } from './reporting.models.ts';

interface SettingsDoc {
  _id: string;
  tz: string;
  gen: number;
  /** The highest generation ever claimed (absent in documents written before it was kept). */
  lastGen?: number;
  building: OrgSettings['building'];
  rev: number;
}

const DEFAULT = { tz: 'UTC', gen: 0, lastGen: 0, building: null, rev: 0 };

const toSettings = (orgId: string, d: SettingsDoc | null | undefined): OrgSettings =>
  d
    ? {
        orgId,
        tz: d.tz,
        gen: d.gen,
        lastGen: Math.max(d.lastGen ?? 0, d.gen, d.building?.gen ?? 0),
        building: d.building ?? null,
        rev: d.rev,
      }
    : { orgId, ...DEFAULT };

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
        // Never a generation used before: an abandoned one may still receive writes from live
        // ingestion that read the settings before the abandon; below the live generation, those
        // leftovers go with the next finished rebuild's clean-up.
        const building = { gen: cur.lastGen + 1, tz, since: now };
        if (cur.rev === 0) {
          try {
            await col.insertOne({
              _id: orgId as never,
              tz: cur.tz,
              gen: cur.gen,
              lastGen: building.gen,
              building,
              rev: 1,
            });
            return building;
          } catch (err) {
            if (!isDuplicateKey(err)) throw err;
            continue;
          }
        }
        const res = await col.updateOne(
          { _id: orgId as never, rev: cur.rev },
          { $set: { building, lastGen: building.gen, rev: cur.rev + 1 } },
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
    async renewBuild(orgId, gen, now) {
      const res = await col.updateOne(
        { _id: orgId as never, 'building.gen': gen },
        // The revision moves too, so a claim that judged the old heartbeat stale fails its check.
        { $set: { 'building.since': now }, $inc: { rev: 1 } },
      );
      return res.matchedCount === 1;
    },
    async staleBuilds(before) {
      const docs = (await col
        .find({ 'building.since': { $lt: before } })
        .toArray()) as unknown as SettingsDoc[];
      return docs.flatMap((d) => (d.building ? [{ orgId: d._id, gen: d.building.gen }] : []));
    },
    async orgIds() {
      return ((await col.distinct('_id')) as unknown as string[]).sort();
    },
  };
}
