import { EmailSchema, PasswordSchema, UsernameSchema } from '@helpdesk/contracts';
import { ValidationError } from '@helpdesk/kit';
import { z } from 'zod';
import { BootstrapAdminConflictError, UsernameTakenError } from '../domain/identity.errors.ts';
import { DEFAULT_ORG_ID, orgIdFromName } from '../domain/org.ts';
import type { IdentityDeps } from '../domain/ports.ts';
import { publicUser, type User } from '../domain/user.ts';
import { addUser } from './add-user.ts';

export const CreateAdminInputSchema = z.object({
  username: UsernameSchema,
  email: EmailSchema,
  password: PasswordSchema,
  /** An org id or a new org's name; a missing org is created. */
  org: z.string().trim().min(1).default(DEFAULT_ORG_ID),
  firstName: z.string().default(''),
  lastName: z.string().default(''),
});
export type CreateAdminInput = z.input<typeof CreateAdminInputSchema>;

/**
 * Makes an admin outside the HTTP API: the `create-admin` command and the bootstrap variables
 * at start-up. With `ifMissing` an existing username is left alone (start-up runs on every
 * replica, every time), provided it is an active admin of the target org; any other owner of
 * the username fails start-up. Without `ifMissing`, as on the command line, it is an error.
 */
export async function createAdmin(
  deps: Pick<IdentityDeps, 'users' | 'orgs' | 'passwords' | 'events' | 'clock'>,
  raw: CreateAdminInput,
  opts: { ifMissing: boolean },
): Promise<{ created: boolean; user: User }> {
  const input = CreateAdminInputSchema.parse(raw);
  const orgId = orgIdFromName(input.org);
  if (!orgId) throw new ValidationError([{ path: 'org', message: 'must contain a letter or digit' }]);
  const existing = async () => {
    const found = await deps.users.findRecord({ login: input.username });
    if (!found) return null;
    if (found.role !== 'admin' || !found.active || found.orgId !== orgId) {
      throw new BootstrapAdminConflictError(input.username, orgId);
    }
    return { created: false, user: publicUser(found) };
  };
  if (opts.ifMissing) {
    const found = await existing();
    if (found) return found;
  }
  await deps.orgs.ensure({ id: orgId, name: input.org, createdAt: deps.clock() });
  try {
    const user = await addUser(
      deps,
      {
        orgId,
        username: input.username,
        email: input.email,
        password: input.password,
        firstName: input.firstName,
        lastName: input.lastName,
        role: 'admin',
      },
      { actor: { type: 'system', id: 'create-admin' } },
    );
    return { created: true, user };
  } catch (err) {
    // Another replica bootstrapping at the same moment won the race: same outcome for us.
    const found = opts.ifMissing && err instanceof UsernameTakenError ? await existing() : null;
    if (found) return found;
    throw err;
  }
}
