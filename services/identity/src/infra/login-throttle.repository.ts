import type { LoginThrottle } from '../domain/ports.ts';
import type { ThrottleWindow } from '../domain/throttle.ts';
import type { LoginThrottleModel } from './login-throttle.model.ts';

const idOf = (key: string, w: ThrottleWindow) => `${key}@${w.start}`;

/** Counters in MongoDB, so the limits hold across replicas and restarts. */
export function createLoginThrottle(Throttle: LoginThrottleModel): LoginThrottle {
  const bump = async (key: string, w: ThrottleWindow, delta: number) => {
    const doc = await Throttle.findOneAndUpdate(
      { _id: idOf(key, w) },
      { $inc: { count: delta }, $setOnInsert: { expiresAt: new Date(w.end) } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    return doc?.count ?? delta;
  };
  return {
    async hit(key, w) {
      try {
        return await bump(key, w, 1);
      } catch (err) {
        // Two first hits of a window upserted at once; the loser's retry finds the document.
        if ((err as { code?: number }).code !== 11000) throw err;
        return bump(key, w, 1);
      }
    },
    async add(key, w, delta) {
      await Throttle.updateOne({ _id: idOf(key, w) }, { $inc: { count: delta } });
    },
    async reset(key, w) {
      await Throttle.deleteOne({ _id: idOf(key, w) });
    },
  };
}
