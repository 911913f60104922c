import type { Role, UserSnapshot } from '@helpdesk/contracts';
import type { StoredRevocation } from './revocation.ts';
import type { Session } from './session.ts';

export interface User {
  id: string;
  orgId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  active: boolean;
  /** Grows by one per published event of this user; it is the events' `sequence`. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The stored user with what never leaves the service: credentials and refresh sessions. */
export interface UserRecord extends User {
  passwordHash: string;
  sessions: Session[];
  /** Guards the `sessions` list, which changes without an event (login, refresh). */
  sessionsRev: number;
  /**
   * Access tokens issued up to this moment were revoked (role change, deactivation); tokens
   * issued later are dated after it, so they are not caught by the same cut-off.
   */
  tokensValidFrom: Date | null;
  /** Revoked sessions and tokens; entries past `expiresAt` linger until the next revocation prunes them. */
  revocations: StoredRevocation[];
}

export type ProfileField = 'email' | 'firstName' | 'lastName';
export type UserChanges = Partial<Pick<User, ProfileField | 'role' | 'active'>>;

/** Usernames and emails are unique case-insensitively; these are the keys of that rule. */
export const usernameKey = (username: string): string => username.toLowerCase();
export const emailKey = (email: string): string => email.trim().toLowerCase();

export function toSnapshot(u: User): UserSnapshot {
  return {
    id: u.id,
    orgId: u.orgId,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    active: u.active,
  };
}

/** The fields of `changes` that differ from `user`, in a stable order. */
export function changedFields(user: User, changes: UserChanges): (keyof UserChanges)[] {
  const order: (keyof UserChanges)[] = ['email', 'firstName', 'lastName', 'role', 'active'];
  return order.filter((k) => changes[k] !== undefined && changes[k] !== user[k]);
}

/** A role change or a deactivation must cut off every token the user holds. */
export function cutsOffTokens(user: User, changes: UserChanges): 'role_changed' | 'deactivated' | null {
  if (changes.active === false && user.active) return 'deactivated';
  if (changes.role !== undefined && changes.role !== user.role) return 'role_changed';
  return null;
}

/** Drops what a record holds beyond the public user: credentials and sessions. */
export function publicUser(record: User): User {
  return {
    id: record.id,
    orgId: record.orgId,
    username: record.username,
    email: record.email,
    firstName: record.firstName,
    lastName: record.lastName,
    role: record.role,
    active: record.active,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
