import type { LoginThrottle } from '../domain/ports.ts';
import type { ThrottleCounter } from '../domain/throttle.ts';
import type { LoginThrottleDoc, LoginThrottleModel } from './login-throttle.model.ts';

const toCounter = (d: LoginThrottleDoc): ThrottleCounter => ({
  count: d.count,
  startedAt: d.startedAt.getTime(),
  expiresAt: d.expiresAt.getTime(),
});

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Counters in MongoDB, so the limits hold across replicas and restarts. Implements the rules of
 * `countAttempt` with single-document atomic writes: `$inc` on a live window, or an upsert that
 * only matches a missing or ended one.
 */
export function createLoginThrottle(Throttle: LoginThrottleModel): LoginThrottle {
  const incrementLive = (key: string, now: Date) =>
    Throttle.findOneAndUpdate(
      { _id: key, expiresAt: { $gt: now } },
      { $inc: { count: 1 } },
      { returnDocument: 'after' },
    ).lean<LoginThrottleDoc>();

  const openWindow = async (key: string, now: Date, windowSeconds: number) => {
    try {
      return await Throttle.findOneAndUpdate(
        { _id: key, expiresAt: { $lte: now } },
        { $set: { count: 1, startedAt: now, expiresAt: new Date(now.getTime() + windowSeconds * 1000) } },
        { upsert: true, returnDocument: 'after' },
      ).lean<LoginThrottleDoc>();
    } catch (err) {
      // A live window exists after all: another replica opened it since our `$inc` missed.
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  };

  return {
    async hit(key, now, windowSeconds) {
      // A round ends unless another replica's write lands between its two steps (then the next
      // `$inc` finds that window); a third round is only a margin.
      for (let round = 0; round < 3; round++) {
        const live = await incrementLive(key, now);
        if (live) return toCounter(live);
        const opened = await openWindow(key, now, windowSeconds);
        if (opened) return toCounter(opened);
      }
      // No key in the message: for unknown accounts it is whatever was typed as the login.
      throw new Error('login throttle: could not count an attempt');
    },
    async add(key, now, delta) {
      await Throttle.updateOne({ _id: key, expiresAt: { $gt: now } }, { $inc: { count: delta } });
    },
    async reset(key) {
      await Throttle.deleteOne({ _id: key });
    },
  };
}
