import { randomUUID } from 'node:crypto';
import { RevocationList } from '@helpdesk/kit';
import type {
  EventInput,
  IdentityDeps,
  IdentitySettings,
  PasswordHasher,
  TokenIssuer,
} from '../src/domain/ports.ts';
import type { UserRecord } from '../src/domain/user.ts';
import { InMemoryOrgs, InMemoryThrottle, InMemoryUsers } from './in-memory-repositories.ts';

export * from './in-memory-repositories.ts';

/** Not a hash: readable in assertions, and it records how often verification ran. */
export class FakeHasher implements PasswordHasher {
  verifications = 0;
  async hash(password: string) {
    return `hashed:${password}`;
  }
  async verify(hash: string, password: string) {
    this.verifications += 1;
    return hash === `hashed:${password}`;
  }
  async waste() {
    this.verifications += 1;
  }
}

export class FakeTokens implements TokenIssuer {
  readonly issued: {
    sub: string;
    org: string;
    role: string;
    sid: string;
    jti: string;
    validFrom: Date | null;
  }[] = [];
  async issue(
    claims: { sub: string; org: string; role: UserRecord['role']; sid: string },
    validFrom?: Date | null,
  ) {
    const jti = randomUUID();
    this.issued.push({ ...claims, jti, validFrom: validFrom ?? null });
    return { token: `token-${jti}`, jti, expiresIn: 900 };
  }
}

export const testSettings: IdentitySettings = {
  accessTtl: 900,
  refreshTtl: 14 * 86_400,
  maxFailuresPerAccount: 10,
  maxFailuresPerIp: 50,
  throttleWindow: 900,
};

export function fakeDeps(now = new Date('2030-01-01T10:00:00Z')) {
  const clock = { now };
  const users = new InMemoryUsers();
  const orgs = new InMemoryOrgs();
  const throttle = new InMemoryThrottle();
  const passwords = new FakeHasher();
  const tokens = new FakeTokens();
  const revocations = new RevocationList(() => clock.now.getTime());
  let kicks = 0;
  const deps: IdentityDeps = {
    users,
    orgs,
    throttle,
    passwords,
    tokens,
    revocations,
    events: {
      envelope: (input: EventInput) => ({
        id: randomUUID(),
        version: 1,
        occurredAt: clock.now.toISOString(),
        correlationId: input.correlationId ?? 'corr',
        causationId: null,
        ...input,
      }),
      kick: () => {
        kicks += 1;
      },
    },
    clock: () => clock.now,
    settings: { ...testSettings },
  };
  void orgs.ensure({ id: 'default', name: 'Default', createdAt: now });
  return { deps, users, orgs, throttle, passwords, tokens, revocations, clock, kicks: () => kicks };
}

/** A stored user made the way the use cases make them. */
export async function seedUser(
  f: ReturnType<typeof fakeDeps>,
  over: Partial<{
    orgId: string;
    username: string;
    email: string;
    password: string;
    role: UserRecord['role'];
  }> = {},
) {
  const { addUser } = await import('../src/use-cases/add-user.ts');
  const username = over.username ?? `user${f.users.records.size + 1}`;
  return addUser(
    f.deps,
    {
      orgId: over.orgId ?? 'default',
      username,
      email: over.email ?? `${username}@example.com`,
      password: over.password ?? 'a good password',
      firstName: 'First',
      lastName: 'Last',
      role: over.role ?? 'user',
    },
    { actor: { type: 'system', id: 'test' } },
  );
}

/** A principal as the verifier would hand it over for a token of `user`. */
export function principalOf(
  user: { id: string; orgId: string; role: UserRecord['role'] },
  over: Partial<{ sid: string; jti: string; iat: number; exp: number }> = {},
) {
  const iat = over.iat ?? Math.floor(Date.parse('2030-01-01T09:59:00Z') / 1000);
  return {
    sub: user.id,
    org: user.orgId,
    role: user.role,
    jti: over.jti ?? randomUUID(),
    sid: over.sid,
    iat,
    exp: over.exp ?? iat + 900,
  };
}
