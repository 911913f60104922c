import type { RegisterRequest } from '@helpdesk/contracts';
import { ValidationError } from '@helpdesk/kit';
import { OrgExistsError } from '../domain/identity.errors.ts';
import { DEFAULT_ORG_ID, orgIdFromName } from '../domain/org.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import type { User } from '../domain/user.ts';
import { addUser, assertFree } from './add-user.ts';

/**
 * Self-registration. Without `org` the user joins the default org as a customer. With `org`
 * a new org is made and the registrant becomes its admin; an existing org is refused, because
 * joining someone else's org is up to that org's admin.
 */
export async function registerUser(
  deps: Pick<IdentityDeps, 'users' | 'orgs' | 'passwords' | 'events' | 'clock'>,
  input: RegisterRequest,
  correlationId?: string,
): Promise<User> {
  const fields = {
    username: input.username,
    email: input.email,
    password: input.password,
    firstName: input.first_name,
    lastName: input.last_name,
  };
  const self = (id: string, role: User['role']) => ({
    actor: { type: 'user' as const, id, role },
    ...(correlationId ? { correlationId } : {}),
  });
  if (input.org === undefined) {
    return addUser(deps, { ...fields, orgId: DEFAULT_ORG_ID, role: 'user' }, self);
  }

  const orgId = orgIdFromName(input.org);
  if (!orgId) throw new ValidationError([{ path: 'org', message: 'must contain a letter or digit' }]);
  // Checked before the org exists, so a taken username rarely leaves an empty org behind.
  await assertFree(deps, input.username, input.email);
  if (!(await deps.orgs.create({ id: orgId, name: input.org, createdAt: deps.clock() }))) {
    throw new OrgExistsError(orgId);
  }
  try {
    return await addUser(deps, { ...fields, orgId, role: 'admin' }, self);
  } catch (err) {
    // No user was stored, so no event exists for the org: removing it leaves no trace.
    await deps.orgs.remove(orgId);
    throw err;
  }
}
