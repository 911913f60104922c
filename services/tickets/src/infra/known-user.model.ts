import { type Connection, Schema } from 'mongoose';

/** identity's users as its events describe them; `sequence` drops stale and duplicate events. */
export interface KnownUserDoc {
  _id: string;
  orgId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  role: 'user' | 'agent' | 'admin';
  active: boolean;
  sequence: number;
}

const KnownUserSchema = new Schema<KnownUserDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    username: { type: String, required: true },
    email: { type: String, default: '' },
    firstName: { type: String, default: '' },
    lastName: { type: String, default: '' },
    role: { type: String, required: true },
    active: { type: Boolean, required: true },
    sequence: { type: Number, required: true },
  },
  { collection: 'known_users', versionKey: false },
);
KnownUserSchema.index({ orgId: 1, role: 1, active: 1 }, { name: 'org_role_active' });

export const knownUserModel = (conn: Connection) => conn.model<KnownUserDoc>('KnownUser', KnownUserSchema);
export type KnownUserModel = ReturnType<typeof knownUserModel>;
