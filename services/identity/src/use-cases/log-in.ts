import {
  InvalidCredentialsError,
  LoginThrottledError,
  UserInactiveError,
} from '../domain/identity.errors.ts';
import { retryOnConflict } from '../domain/optimistic.ts';
import type { IdentityDeps, IssuedAccessToken } from '../domain/ports.ts';
import { startSession } from '../domain/session.ts';
import { accountKey, ipKey, retryAfterSeconds, windowAt } from '../domain/throttle.ts';
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
  const window = windowAt(now.getTime(), settings.throttleWindow);
  const record = await deps.users.findRecord({ login: input.login });
  const account = accountKey(record?.id, input.login);
  const ip = ipKey(input.ip);
  const [accountCount, ipCount] = await Promise.all([
    deps.throttle.hit(account, window),
    deps.throttle.hit(ip, window),
  ]);
  if (accountCount > settings.maxFailuresPerAccount || ipCount > settings.maxFailuresPerIp) {
    throw new LoginThrottledError(retryAfterSeconds(now.getTime(), window));
  }

  if (!record) {
    await deps.passwords.waste(input.password);
    throw new InvalidCredentialsError();
  }
  if (!(await deps.passwords.verify(record.passwordHash, input.password))) {
    throw new InvalidCredentialsError();
  }
  // A success forgives the account's failures; the address keeps its failures but not this hit.
  await Promise.all([deps.throttle.reset(account, window), deps.throttle.add(ip, window, -1)]);
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
