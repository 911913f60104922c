import { type Connection, Schema } from 'mongoose';

/** One counter per key and window, e.g. `user:<id>@<windowStart>`; shared by all replicas. */
export interface LoginThrottleDoc {
  _id: string;
  count: number;
  expiresAt: Date;
}

const LoginThrottleSchema = new Schema<LoginThrottleDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'login_throttle', versionKey: false },
);
// Old windows are never read again; MongoDB's TTL monitor drops them.
LoginThrottleSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const loginThrottleModel = (conn: Connection) =>
  conn.model<LoginThrottleDoc>('LoginThrottle', LoginThrottleSchema);
export type LoginThrottleModel = ReturnType<typeof loginThrottleModel>;
