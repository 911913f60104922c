import { IdentityEvents, UserUpdatedEventSchema } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, principalOf, seedUser } from '../../test/fakes.ts';
import { EmailTakenError, UserNotFoundError } from '../domain/identity.errors.ts';
import { updateProfile } from './update-profile.ts';

describe('updateProfile', () => {
  it('when names and email change, then user.updated lists exactly those fields', async () => {
    const f = fakeDeps();
    const user = await seedUser(f, { username: 'hank' });
    const after = await updateProfile(f.deps, principalOf(user), {
      email: 'h@example.com',
      firstName: 'Hank',
      lastName: 'Last',
    });
    expect(after).toMatchObject({ email: 'h@example.com', firstName: 'Hank', version: 2 });
    expect(after).not.toHaveProperty('passwordHash');
    const event = UserUpdatedEventSchema.parse(f.users.events(IdentityEvents.UserUpdated)[0]);
    expect(event).toMatchObject({ sequence: 2, data: { changed: ['email', 'firstName'] } });
  });

  it('when nothing differs, then nothing is published', async () => {
    const f = fakeDeps();
    const user = await seedUser(f, { username: 'ivy' });
    await updateProfile(f.deps, principalOf(user), { firstName: 'First' });
    expect(f.users.events(IdentityEvents.UserUpdated)).toHaveLength(0);
  });

  it('when the email belongs to another account, then it is refused', async () => {
    const f = fakeDeps();
    await seedUser(f, { username: 'jack', email: 'jack@example.com' });
    const user = await seedUser(f, { username: 'jill' });
    await expect(
      updateProfile(f.deps, principalOf(user), { email: 'JACK@example.com' }),
    ).rejects.toBeInstanceOf(EmailTakenError);
    await expect(updateProfile(f.deps, principalOf(user), { email: 'jack' })).rejects.toBeInstanceOf(
      EmailTakenError,
    );
  });

  it('when the token names a user that is gone, then it is not found', async () => {
    const f = fakeDeps();
    const ghost = principalOf({ id: 'gone', orgId: 'default', role: 'user' });
    await expect(updateProfile(f.deps, ghost, { firstName: 'x' })).rejects.toBeInstanceOf(UserNotFoundError);
  });
});
