import { randomUUID } from 'node:crypto';
import type { Role } from '@helpdesk/contracts';
import { userRegistered } from '../domain/events.ts';
import { EmailTakenError, UsernameTakenError } from '../domain/identity.errors.ts';
import type { Caller, IdentityDeps } from '../domain/ports.ts';
import type { User } from '../domain/user.ts';

export interface NewUserInput {
  orgId: string;
  username: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  role: Role;
}

/**
 * The step every way of making a user shares: hash, store, and record `user.registered` in the
 * same write. `caller` undefined means the user acts on their own behalf (self-registration).
 */
export async function addUser(
  deps: Pick<IdentityDeps, 'users' | 'passwords' | 'events' | 'clock'>,
  input: NewUserInput,
  caller: Caller | ((id: string, role: Role) => Caller),
): Promise<User> {
  await assertFree(deps, input.username, input.email);
  const now = deps.clock();
  const id = randomUUID();
  const user: User = {
    id,
    orgId: input.orgId,
    username: input.username,
    email: input.email.trim(),
    firstName: input.firstName,
    lastName: input.lastName,
    role: input.role,
    active: true,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const who = typeof caller === 'function' ? caller(id, input.role) : caller;
  const event = deps.events.envelope(userRegistered(user, who));
  const passwordHash = await deps.passwords.hash(input.password);
  const created = await deps.users.create({ ...user, passwordHash, sessions: [] }, [event]);
  deps.events.kick();
  return created;
}

/**
 * Logins accept a username or an email, so neither may equal another account's username or
 * email. The unique indexes catch same-field races; this read catches the cross-field case.
 */
export async function assertFree(deps: Pick<IdentityDeps, 'users'>, username: string, email: string) {
  if (await deps.users.findRecord({ login: username })) throw new UsernameTakenError();
  if (await deps.users.findRecord({ login: email })) throw new EmailTakenError();
}
