import type { Role } from '@helpdesk/contracts';
import type { Principal } from '@helpdesk/kit';
import { sessionRevoked, userUpdated } from '../domain/events.ts';
import { SelfChangeError, UserNotFoundError } from '../domain/identity.errors.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import { changedFields, cutsOffTokens, publicUser, type User } from '../domain/user.ts';

export interface UserAdminChanges {
  role?: Role | undefined;
  active?: boolean | undefined;
}

/**
 * An admin changes a user's role or active flag. Both take effect at once: the user's refresh
 * sessions are dropped and every access token issued so far is revoked (here synchronously,
 * elsewhere through `session.revoked` with `notBefore`), so a new role needs a new login.
 */
export async function updateUser(
  deps: Pick<IdentityDeps, 'users' | 'events' | 'revocations' | 'clock' | 'settings'>,
  admin: Principal,
  id: string,
  changes: UserAdminChanges,
  correlationId?: string,
): Promise<User> {
  const caller = {
    actor: { type: 'user' as const, id: admin.sub, role: admin.role },
    ...(correlationId ? { correlationId } : {}),
  };
  let published = false;
  const user = await retryOnConflict(async () => {
    const current = await deps.users.findRecord({ orgId: admin.org, id });
    if (!current) throw new UserNotFoundError();
    const set = {
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
    };
    const changed = changedFields(current, set);
    if (changed.length === 0) return publicUser(current);
    if (current.id === admin.sub) throw new SelfChangeError();

    const now = deps.clock();
    const after: User = { ...publicUser(current), ...set, version: current.version + 1, updatedAt: now };
    const events = [deps.events.envelope(userUpdated(after, changed, after.version, caller))];
    const reason = cutsOffTokens(current, set);
    const expiresAt = now.getTime() + deps.settings.accessTtl * 1000;
    if (reason) {
      const data = {
        sessionId: null,
        jti: null,
        notBefore: now.toISOString(),
        expiresAt: new Date(expiresAt).toISOString(),
        reason,
      };
      events.push(deps.events.envelope(sessionRevoked(after, data, after.version + 1, caller)));
      // Before the write: if it fails the user merely has to log in again here.
      deps.revocations.revokeSubject(current.id, now.getTime(), expiresAt);
    }
    const written = await deps.users.update(
      current.orgId,
      current.id,
      { version: current.version, sessionsRev: current.sessionsRev },
      { set, events, ...(reason ? { sessions: [], tokensValidFrom: now } : {}) },
    );
    published = written !== null;
    return written;
  });
  if (published) deps.events.kick();
  return user;
}
