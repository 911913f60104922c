import type { Actor, Envelope } from '@helpdesk/contracts';
import type { RevocationList } from '@helpdesk/kit';
import type { Org } from './org.ts';
import type { StoredRevocation } from './revocation.ts';
import type { Session } from './session.ts';
import type { ThrottleCounter } from './throttle.ts';
import type { User, UserChanges, UserRecord } from './user.ts';

/*
 * What the use cases need from the outside world. The mongo adapters live in infra/; tests
 * use in-memory fakes with the same rules (unique keys, conditional writes).
 */

export type NewUser = Omit<UserRecord, 'sessionsRev' | 'tokensValidFrom' | 'revocations'>;

export interface UserChange {
  set?: UserChanges;
  /** Replaces the whole session list; guarded by `sessionsRev`. */
  sessions?: Session[];
  /** Each event bumps `version`; they are stored in the same write (outbox). */
  events?: Envelope[];
  tokensValidFrom?: Date;
  /** Replaces the stored revocations; only written together with an event, so `version` guards it. */
  revocations?: StoredRevocation[];
}

export type UserLookup = { login: string } | { sessionId: string } | { orgId: string; id: string };

export interface UserRepository {
  /** Throws UsernameTakenError / EmailTakenError when a unique key is taken. */
  create(user: NewUser, events: Envelope[]): Promise<User>;
  findById(orgId: string, id: string): Promise<User | null>;
  /**
   * `login` (username or email) and `sessionId` look across orgs: both are unique globally,
   * which is what lets a client log in or refresh without naming its org.
   */
  findRecord(by: UserLookup): Promise<UserRecord | null>;
  /** Writes only when the record still has the expected counters; null otherwise. */
  update(
    orgId: string,
    id: string,
    expect: { version?: number; sessionsRev?: number },
    change: UserChange,
  ): Promise<User | null>;
  /** Every user whose tokens were cut off after `since`, across orgs (start-up only). */
  tokenCutoffs(since: Date): Promise<{ userId: string; at: Date }[]>;
  /** Every stored session or token revocation still in force at `now`, across orgs. */
  revocationsInForce(now: Date): Promise<StoredRevocation[]>;
  /** Every user of every org, ordered by id, after `after` (identity's internal users snapshot). */
  listAll(page: { after?: string | undefined; limit: number }): Promise<User[]>;
  search(
    orgId: string,
    filter: { q?: string | undefined; role?: User['role'] | undefined; after?: string; limit: number },
  ): Promise<User[]>;
}

export interface OrgRepository {
  /** False when an org with this id exists already. */
  create(org: Org): Promise<boolean>;
  ensure(org: Org): Promise<void>;
  exists(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
}

/** Failed-login counters per key, with the window rules of `countAttempt`. */
export interface LoginThrottle {
  /** Counts one attempt at `now` and returns the key's counter including it. */
  hit(key: string, now: Date, windowSeconds: number): Promise<ThrottleCounter>;
  /** Adds `delta` to the key's live counter; nothing when it has none. */
  add(key: string, now: Date, delta: number): Promise<void>;
  /** Forgets the key's counter. */
  reset(key: string): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a verification, for logins of unknown accounts. */
  waste(password: string): Promise<void>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface TokenIssuer {
  /** `validFrom`: the token must be dated after it (see UserRecord.tokensValidFrom). */
  issue(
    claims: { sub: string; org: string; role: User['role']; sid: string },
    validFrom?: Date | null,
  ): Promise<IssuedAccessToken>;
}

export interface EventInput {
  type: string;
  orgId: string;
  aggregateId: string;
  sequence: number;
  actor: Actor;
  data: unknown;
  correlationId?: string;
}

export interface EventOutbox {
  envelope(input: EventInput): Envelope;
  /** Asks the relay to publish now instead of at its next poll. */
  kick(): void;
}

export interface IdentitySettings {
  accessTtl: number;
  refreshTtl: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  throttleWindow: number;
}

export interface IdentityDeps {
  users: UserRepository;
  orgs: OrgRepository;
  throttle: LoginThrottle;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  revocations: RevocationList;
  events: EventOutbox;
  clock: () => Date;
  settings: IdentitySettings;
}

/** Request context a use case may record in events. */
export interface Caller {
  actor: Actor;
  correlationId?: string;
}
