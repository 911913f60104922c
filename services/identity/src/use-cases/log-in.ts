import {
  InvalidCredentialsError,
  LoginThrottledError,
  UserInactiveError,
} from '../domain/identity.errors.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps, IssuedAccessToken } from '../domain/ports.ts';
import { startSession } from '../domain/session.ts';
import { accountKey, ipKey, retryAfterSeconds } from '../domain/throttle.ts';
import type { User } from '../domain/user.ts';

export interface LogInInput {
  login: string;
  password: string;
  ip: string;
}

export interface SessionTokens {
  user: User;
  access: IssuedAccessToken;
  refresh: string;
  sessionId: string;
}

/**
 * Password login with brute-force throttling per account and per client address. Counters are
 * bumped before the password is checked, so parallel guesses cannot slip past the limit, and
 * a throttled attempt is refused without a check even when its password is right.
 */
export async function logIn(deps: IdentityDeps, input: LogInInput): Promise<SessionTokens> {
  const { settings } = deps;
  const now = deps.clock();
  const record = await deps.users.findRecord({ login: input.login });
  const account = accountKey(record?.id, input.login);
  const ip = ipKey(input.ip);
  const [accountCounter, ipCounter] = await Promise.all([
    deps.throttle.hit(account, now, settings.throttleWindow),
    deps.throttle.hit(ip, now, settings.throttleWindow),
  ]);
  const accountOver = accountCounter.count > settings.maxFailuresPerAccount;
  const ipOver = ipCounter.count > settings.maxFailuresPerIp;
  if (accountOver || ipOver) {
    // Each key has its own window: wait for the later end among those over their limit.
    const until = Math.max(accountOver ? accountCounter.expiresAt : 0, ipOver ? ipCounter.expiresAt : 0);
    throw new LoginThrottledError(retryAfterSeconds(now.getTime(), until));
  }

  if (!record) {
    await deps.passwords.waste(input.password);
    throw new InvalidCredentialsError();
  }
  if (!(await deps.passwords.verify(record.passwordHash, input.password))) {
    throw new InvalidCredentialsError();
  }
  // A success forgives the account's failures; the address keeps its failures but not this hit.
  await Promise.all([deps.throttle.reset(account), deps.throttle.add(ip, now, -1)]);
  if (!record.active) throw new UserInactiveError();

  const started = await retryOnConflict(async () => {
    const current = await deps.users.findRecord({ orgId: record.orgId, id: record.id });
    if (!current?.active) throw new UserInactiveError();
    const next = startSession(current.sessions, deps.clock(), settings.refreshTtl);
    const user = await deps.users.update(
      current.orgId,
      current.id,
      { sessionsRev: current.sessionsRev },
      { sessions: next.sessions },
    );
    return user && { user, validFrom: current.tokensValidFrom, ...next };
  });
  const access = await deps.tokens.issue(
    { sub: started.user.id, org: started.user.orgId, role: started.user.role, sid: started.session.id },
    started.validFrom,
  );
  return { user: started.user, access, refresh: started.refresh, sessionId: started.session.id };
}
