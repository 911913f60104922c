import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../../test/fakes.ts';
import {
  InvalidCredentialsError,
  LoginThrottledError,
  UserInactiveError,
} from '../domain/identity.errors.ts';
import { addUser } from './add-user.ts';
import { logIn } from './log-in.ts';

async function setup() {
  const f = fakeDeps();
  const user = await addUser(
    f.deps,
    {
      orgId: 'default',
      username: 'Alice',
      email: 'alice@example.com',
      password: 'correct horse',
      firstName: 'Alice',
      lastName: 'A',
      role: 'user',
    },
    { actor: { type: 'system', id: 'test' } },
  );
  return { ...f, user };
}

const attempt = (
  f: Awaited<ReturnType<typeof setup>>,
  password: string,
  over: Partial<{ login: string; ip: string }> = {},
) => logIn(f.deps, { login: 'alice', password, ip: '10.0.0.1', ...over });

describe('logIn', () => {
  it('when the password is right, then a session is stored and its id is the token sid', async () => {
    const f = await setup();
    const result = await attempt(f, 'correct horse');
    const record = f.users.records.get(f.user.id);
    expect(record?.sessions.map((s) => s.id)).toEqual([result.sessionId]);
    expect(f.tokens.issued).toEqual([
      expect.objectContaining({ sub: f.user.id, org: 'default', role: 'user', sid: result.sessionId }),
    ]);
    expect(result.refresh.startsWith(`${result.sessionId}.`)).toBe(true);
  });

  it('when the email is given in any case, then it logs in the same account', async () => {
    const f = await setup();
    expect((await attempt(f, 'correct horse', { login: 'ALICE@example.com' })).user.id).toBe(f.user.id);
  });

  it('when the password is wrong or the account unknown, then both answer the same error', async () => {
    const f = await setup();
    await expect(attempt(f, 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(attempt(f, 'correct horse', { login: 'nobody' })).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    // The unknown account still cost a verification, so timing does not reveal it.
    expect(f.passwords.verifications).toBe(2);
  });

  it('when an account failed 10 times, then the 11th attempt is throttled even with the right password', async () => {
    const f = await setup();
    for (let i = 0; i < 10; i++) {
      await expect(attempt(f, `wrong ${i}`, { ip: `10.0.0.${i}` })).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    const verified = f.passwords.verifications;
    const err = await attempt(f, 'correct horse', { login: 'alice@example.com', ip: '10.9.9.9' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(LoginThrottledError);
    expect(err.status).toBe(429);
    expect(Number(err.headers['retry-after'])).toBeGreaterThan(0);
    expect(f.passwords.verifications).toBe(verified);
    expect(f.tokens.issued).toHaveLength(0);
  });

  it('when 10 failures come just before a clock boundary, then the 11th just after it is still throttled', async () => {
    // 10:14:59, one second before the quarter hour where clock-aligned windows used to reset.
    const f = await setup();
    f.clock.now = new Date('2030-01-01T10:14:59Z');
    for (let i = 0; i < 10; i++) {
      await expect(attempt(f, `wrong ${i}`, { ip: `10.0.1.${i}` })).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    f.clock.now = new Date('2030-01-01T10:15:01Z');
    const err = await attempt(f, 'correct horse', { ip: '10.9.9.9' }).catch((e) => e);
    expect(err).toBeInstanceOf(LoginThrottledError);
    // The window opened at the first failure, so it ends 15 minutes after 10:14:59.
    expect(err.headers['retry-after']).toBe(String(900 - 2));
    expect(f.tokens.issued).toHaveLength(0);
  });

  it('when the window has passed, then the account may try again', async () => {
    const f = await setup();
    for (let i = 0; i < 11; i++) await attempt(f, 'wrong').catch(() => undefined);
    f.clock.now = new Date(f.clock.now.getTime() + f.deps.settings.throttleWindow * 1000);
    await expect(attempt(f, 'correct horse')).resolves.toMatchObject({ user: { id: f.user.id } });
  });

  it('when a login succeeds, then earlier failures of the account are forgiven', async () => {
    const f = await setup();
    for (let i = 0; i < 9; i++) await attempt(f, 'wrong').catch(() => undefined);
    await attempt(f, 'correct horse');
    for (let i = 0; i < 10; i++)
      await expect(attempt(f, 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('when one address fails more than its limit across accounts, then it is throttled', async () => {
    const f = await setup();
    f.deps.settings.maxFailuresPerIp = 5;
    for (let i = 0; i < 5; i++) await attempt(f, 'x', { login: `user${i}` }).catch(() => undefined);
    await expect(attempt(f, 'correct horse')).rejects.toBeInstanceOf(LoginThrottledError);
    await expect(attempt(f, 'correct horse', { ip: '10.0.0.2' })).resolves.toBeDefined();
  });

  it('when successful logins come from one address, then they do not use up its limit', async () => {
    const f = await setup();
    f.deps.settings.maxFailuresPerIp = 3;
    for (let i = 0; i < 5; i++) await attempt(f, 'correct horse');
    expect(f.tokens.issued).toHaveLength(5);
  });

  it('when the account is deactivated, then the right password gets USER_INACTIVE and a wrong one does not', async () => {
    const f = await setup();
    const record = f.users.records.get(f.user.id);
    if (record) record.active = false;
    await expect(attempt(f, 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(attempt(f, 'correct horse')).rejects.toBeInstanceOf(UserInactiveError);
    expect(f.tokens.issued).toHaveLength(0);
  });

  it('when the session write loses a race, then it is retried', async () => {
    const f = await setup();
    f.users.conflicts = 2;
    const result = await attempt(f, 'correct horse');
    expect(f.users.records.get(f.user.id)?.sessions.map((s) => s.id)).toEqual([result.sessionId]);
  });
});
