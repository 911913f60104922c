import { UserNotFoundError } from '../domain/identity.errors.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import type { User } from '../domain/user.ts';

/** A user of `orgId`; one of another org is "not found", never "forbidden". */
export async function getUser(deps: Pick<IdentityDeps, 'users'>, orgId: string, id: string): Promise<User> {
  const user = await deps.users.findById(orgId, id);
  if (!user) throw new UserNotFoundError();
  return user;
}
