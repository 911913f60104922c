import { type Connection, Schema } from 'mongoose';

/** One counter per key (`user:<id>`, `login:<name>`, `ip:<address>`); shared by all replicas. */
export interface LoginThrottleDoc {
  _id: string;
  count: number;
  /** When the key's current window opened: its first counted attempt. */
  startedAt: Date;
  /** `startedAt` + the window; the counter is dead from then on, whether or not it was deleted. */
  expiresAt: Date;
}

const LoginThrottleSchema = new Schema<LoginThrottleDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    startedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'login_throttle', versionKey: false },
);
// Housekeeping only: every read compares `expiresAt` itself, so nothing depends on when (or
// whether, as with the test stand-in) the TTL monitor deletes ended windows.
LoginThrottleSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const loginThrottleModel = (conn: Connection) =>
  conn.model<LoginThrottleDoc>('LoginThrottle', LoginThrottleSchema);
export type LoginThrottleModel = ReturnType<typeof loginThrottleModel>;
