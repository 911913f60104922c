import type { UserDto } from '@helpdesk/contracts';
import type { User } from '../domain/user.ts';

export const toUserDto = (u: User): UserDto => ({
  id: u.id,
  username: u.username,
  email: u.email,
  first_name: u.firstName,
  last_name: u.lastName,
  role: u.role,
  org_id: u.orgId,
  is_active: u.active,
  date_joined: u.createdAt.toISOString(),
});
