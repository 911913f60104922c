import type { CreateUserRequest } from '@helpdesk/contracts';
import type { Principal } from '@helpdesk/kit';
import type { IdentityDeps } from '../domain/ports.ts';
import type { User } from '../domain/user.ts';
import { addUser } from './add-user.ts';

/** An admin adds a user, agent or admin to their own org; the org is never taken from the body. */
export function createUser(
  deps: Pick<IdentityDeps, 'users' | 'passwords' | 'events' | 'clock'>,
  admin: Principal,
  input: CreateUserRequest,
  correlationId?: string,
): Promise<User> {
  return addUser(
    deps,
    {
      orgId: admin.org,
      username: input.username,
      email: input.email,
      password: input.password,
      firstName: input.first_name,
      lastName: input.last_name,
      role: input.role,
    },
    {
      actor: { type: 'user', id: admin.sub, role: admin.role },
      ...(correlationId ? { correlationId } : {}),
    },
  );
}
