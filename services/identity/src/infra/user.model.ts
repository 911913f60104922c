import { type OutboxEntry, outboxPlugin } from '@helpdesk/messaging';
import { type Connection, Schema } from 'mongoose';
import type { StoredRevocation } from '../domain/revocation.ts';
import type { Session } from '../domain/session.ts';

export interface UserDoc {
  _id: string;
  orgId: string;
  username: string;
  usernameKey: string;
  email: string;
  emailKey: string;
  firstName: string;
  lastName: string;
  role: 'user' | 'agent' | 'admin';
  active: boolean;
  passwordHash: string;
  version: number;
  sessions: Session[];
  sessionsRev: number;
  tokensValidFrom: Date | null;
  /** Absent until the user's first logout or reuse, so the sparse index holds only users who had one. */
  revocations?: StoredRevocation[];
  createdAt: Date;
  updatedAt: Date;
  /** Added by outboxPlugin; never read here, only by the relay. */
  outbox?: OutboxEntry[];
}

const SessionSchema = new Schema<Session>(
  {
    id: { type: String, required: true },
    hash: { type: String, required: true },
    used: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const RevocationSchema = new Schema<StoredRevocation>(
  {
    sessionId: { type: String, default: null },
    jti: { type: String, default: null },
    revokedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const UserSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    email: { type: String, required: true },
    emailKey: { type: String, required: true },
    firstName: { type: String, default: '' },
    lastName: { type: String, default: '' },
    role: { type: String, enum: ['user', 'agent', 'admin'], required: true },
    active: { type: Boolean, required: true },
    passwordHash: { type: String, required: true },
    version: { type: Number, required: true },
    sessions: { type: [SessionSchema], default: [] },
    sessionsRev: { type: Number, default: 0 },
    tokensValidFrom: { type: Date, default: null },
    revocations: { type: [RevocationSchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false, minimize: false },
);
outboxPlugin(UserSchema);
// Unique across orgs: a client logs in with a username or email alone (docs/identity.md).
UserSchema.index({ usernameKey: 1 }, { unique: true });
UserSchema.index({ emailKey: 1 }, { unique: true });
UserSchema.index({ orgId: 1, usernameKey: 1 });
UserSchema.index({ 'sessions.id': 1 });
UserSchema.index({ tokensValidFrom: 1 }, { sparse: true });
// The revocation snapshot reads only the users with a revocation still in force.
UserSchema.index({ 'revocations.expiresAt': 1 }, { sparse: true });

export const userModel = (conn: Connection) => conn.model<UserDoc>('User', UserSchema);
export type UserModel = ReturnType<typeof userModel>;
