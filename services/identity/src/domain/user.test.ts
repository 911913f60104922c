import { describe, expect, it } from 'vitest';
import { changedFields, cutsOffTokens, type User } from './user.ts';

const user: User = {
  id: 'u1',
  orgId: 'default',
  username: 'bob',
  email: 'bob@example.com',
  firstName: 'Bob',
  lastName: 'Builder',
  role: 'agent',
  active: true,
  version: 3,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('user changes', () => {
  it('when a value equals the current one, then it is not a change', () => {
    expect(changedFields(user, { firstName: 'Bob', lastName: 'B', role: 'agent', active: false })).toEqual([
      'lastName',
      'active',
    ]);
  });

  it('when a user is deactivated or changes role, then their tokens are cut off', () => {
    expect(cutsOffTokens(user, { active: false })).toBe('deactivated');
    expect(cutsOffTokens(user, { role: 'admin' })).toBe('role_changed');
    expect(cutsOffTokens(user, { role: 'agent', active: true })).toBeNull();
    expect(cutsOffTokens({ ...user, active: false }, { active: true })).toBeNull();
  });
});
