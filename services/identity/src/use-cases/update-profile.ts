import type { Principal } from '@helpdesk/kit';
import { userUpdated } from '../domain/events.ts';
import { EmailTakenError, UserNotFoundError } from '../domain/identity.errors.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import { changedFields, publicUser, type User } from '../domain/user.ts';

export interface ProfileChanges {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/** The caller edits their own names and email; nothing else about an account is theirs to set. */
export async function updateProfile(
  deps: Pick<IdentityDeps, 'users' | 'events'>,
  principal: Principal,
  changes: ProfileChanges,
  correlationId?: string,
): Promise<User> {
  let published = false;
  const user = await retryOnConflict(async () => {
    const current = await deps.users.findRecord({ orgId: principal.org, id: principal.sub });
    if (!current) throw new UserNotFoundError();
    const set = {
      ...(changes.email !== undefined ? { email: changes.email.trim() } : {}),
      ...(changes.firstName !== undefined ? { firstName: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { lastName: changes.lastName } : {}),
    };
    const changed = changedFields(current, set);
    if (changed.length === 0) return publicUser(current);
    if (set.email !== undefined && set.email.toLowerCase() !== current.email.toLowerCase()) {
      const holder = await deps.users.findRecord({ login: set.email });
      if (holder && holder.id !== current.id) throw new EmailTakenError();
    }
    const after: User = { ...current, ...set, version: current.version + 1 };
    const event = deps.events.envelope(
      userUpdated(after, changed, after.version, {
        actor: { type: 'user', id: principal.sub, role: principal.role },
        ...(correlationId ? { correlationId } : {}),
      }),
    );
    const written = await deps.users.update(
      current.orgId,
      current.id,
      { version: current.version },
      { set, events: [event] },
    );
    published = written !== null;
    return written;
  });
  if (published) deps.events.kick();
  return user;
}
