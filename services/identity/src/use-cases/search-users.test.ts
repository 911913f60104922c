import { ValidationError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { fakeDeps, seedUser } from '../../test/fakes.ts';
import { searchUsers } from './search-users.ts';

async function setup() {
  const f = fakeDeps();
  for (const name of ['amy', 'bea', 'cal', 'dan', 'eve'])
    await seedUser(f, { username: name, role: name === 'cal' ? 'agent' : 'user' });
  await seedUser(f, { username: 'amos', orgId: 'other' });
  return f;
}

describe('searchUsers', () => {
  it('when paging, then every user of the org comes once, in username order', async () => {
    const f = await setup();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchUsers(f.deps, 'default', { limit: 2, cursor });
      seen.push(...page.results.map((u) => u.username));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['amy', 'bea', 'cal', 'dan', 'eve']);
  });

  it('when filtering, then q and role narrow the results and other orgs never show', async () => {
    const f = await setup();
    expect(
      (await searchUsers(f.deps, 'default', { q: 'MY', limit: 20 })).results.map((u) => u.username),
    ).toEqual(['amy']);
    expect(
      (await searchUsers(f.deps, 'default', { role: 'agent', limit: 20 })).results.map((u) => u.username),
    ).toEqual(['cal']);
    expect((await searchUsers(f.deps, 'other', { limit: 20 })).results.map((u) => u.username)).toEqual([
      'amos',
    ]);
  });

  it('when the last page is reached, then next is null', async () => {
    const f = await setup();
    expect((await searchUsers(f.deps, 'default', { limit: 5 })).next).toBeNull();
  });

  it('when the cursor is forged, then it is a validation error', async () => {
    const f = await setup();
    await expect(searchUsers(f.deps, 'default', { limit: 5, cursor: 'nonsense' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const wrongShape = Buffer.from(JSON.stringify({ u: 5 })).toString('base64url');
    await expect(searchUsers(f.deps, 'default', { limit: 5, cursor: wrongShape })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
