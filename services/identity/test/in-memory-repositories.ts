import type { Envelope } from '@helpdesk/contracts';
import { EmailTakenError, UsernameTakenError } from '../src/domain/identity.errors.ts';
import type { Org } from '../src/domain/org.ts';
import type {
  LoginThrottle,
  NewUser,
  OrgRepository,
  UserChange,
  UserLookup,
  UserRepository,
} from '../src/domain/ports.ts';
import type { SigningKey, SigningKeyRepository } from '../src/domain/signing-key.ts';
import { countAttempt, isLive, type ThrottleCounter } from '../src/domain/throttle.ts';
import { emailKey, publicUser, type UserRecord, usernameKey } from '../src/domain/user.ts';

/*
 * In-memory stand-ins for the ports, with the rules the mongo adapters enforce: unique
 * username / email keys, conditional writes, events stored with the change.
 */

export class InMemoryUsers implements UserRepository {
  readonly records = new Map<string, UserRecord>();
  /** Every event written with a change, in write order (the outbox as the relay would see it). */
  readonly outbox: Envelope[] = [];
  /** Writes to fail with a conflict before they land, to exercise retries. */
  conflicts = 0;

  async create(user: NewUser, events: Envelope[]) {
    for (const r of this.records.values()) {
      if (usernameKey(r.username) === usernameKey(user.username)) throw new UsernameTakenError();
      if (emailKey(r.email) === emailKey(user.email)) throw new EmailTakenError();
    }
    this.records.set(
      user.id,
      structuredClone({ ...user, sessionsRev: 0, tokensValidFrom: null, revocations: [] }),
    );
    this.outbox.push(...events);
    return publicUser(user);
  }

  async findById(orgId: string, id: string) {
    const r = this.records.get(id);
    return r && r.orgId === orgId ? publicUser(r) : null;
  }

  async findRecord(by: UserLookup) {
    const all = [...this.records.values()];
    let found: UserRecord | undefined;
    if ('login' in by) {
      const key = by.login.trim().toLowerCase();
      found = all.find((r) => usernameKey(r.username) === key) ?? all.find((r) => emailKey(r.email) === key);
    } else if ('sessionId' in by) {
      found = all.find((r) => r.sessions.some((s) => s.id === by.sessionId));
    } else {
      found = all.find((r) => r.id === by.id && r.orgId === by.orgId);
    }
    return found ? structuredClone(found) : null;
  }

  async update(
    orgId: string,
    id: string,
    expect: { version?: number; sessionsRev?: number },
    change: UserChange,
  ) {
    const r = this.records.get(id);
    if (!r || r.orgId !== orgId) return null;
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      return null;
    }
    if (expect.version !== undefined && r.version !== expect.version) return null;
    if (expect.sessionsRev !== undefined && r.sessionsRev !== expect.sessionsRev) return null;
    if (change.set?.email !== undefined) {
      const other = [...this.records.values()].find(
        (o) => o.id !== id && emailKey(o.email) === emailKey(change.set?.email ?? ''),
      );
      if (other) throw new EmailTakenError();
    }
    const events = change.events ?? [];
    const next: UserRecord = {
      ...r,
      ...change.set,
      ...(change.sessions
        ? { sessions: structuredClone(change.sessions), sessionsRev: r.sessionsRev + 1 }
        : {}),
      version: r.version + events.length,
      ...(change.tokensValidFrom ? { tokensValidFrom: change.tokensValidFrom } : {}),
      ...(change.revocations ? { revocations: structuredClone(change.revocations) } : {}),
    };
    this.records.set(id, next);
    this.outbox.push(...events);
    return publicUser(next);
  }

  async tokenCutoffs(since: Date) {
    return [...this.records.values()].flatMap((r) =>
      r.tokensValidFrom && r.tokensValidFrom > since ? [{ userId: r.id, at: r.tokensValidFrom }] : [],
    );
  }

  async revocationsInForce(now: Date) {
    return [...this.records.values()].flatMap((r) => r.revocations.filter((x) => x.expiresAt > now));
  }

  async listAll(page: { after?: string | undefined; limit: number }) {
    return [...this.records.values()]
      .filter((r) => page.after === undefined || r.id > page.after)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, page.limit)
      .map(publicUser);
  }

  async search(
    orgId: string,
    f: { q?: string | undefined; role?: UserRecord['role'] | undefined; after?: string; limit: number },
  ) {
    const q = f.q?.toLowerCase();
    return [...this.records.values()]
      .filter((r) => r.orgId === orgId)
      .filter((r) => !f.role || r.role === f.role)
      .filter((r) => f.after === undefined || usernameKey(r.username) > f.after)
      .filter(
        (r) => !q || [r.username, r.email, r.firstName, r.lastName].some((s) => s.toLowerCase().includes(q)),
      )
      .sort((a, b) => usernameKey(a.username).localeCompare(usernameKey(b.username)))
      .slice(0, f.limit)
      .map(publicUser);
  }

  /** The events of one type, for assertions. */
  events(type: string) {
    return this.outbox.filter((e) => e.type === type);
  }
}

export class InMemoryOrgs implements OrgRepository {
  readonly orgs = new Map<string, Org>();
  async create(org: Org) {
    if (this.orgs.has(org.id)) return false;
    this.orgs.set(org.id, org);
    return true;
  }
  async ensure(org: Org) {
    if (!this.orgs.has(org.id)) this.orgs.set(org.id, org);
  }
  async exists(id: string) {
    return this.orgs.has(id);
  }
  async remove(id: string) {
    this.orgs.delete(id);
  }
}

export class InMemoryThrottle implements LoginThrottle {
  readonly counters = new Map<string, ThrottleCounter>();
  async hit(key: string, now: Date, windowSeconds: number) {
    const next = countAttempt(this.counters.get(key), now.getTime(), windowSeconds);
    this.counters.set(key, next);
    return { ...next };
  }
  async add(key: string, now: Date, delta: number) {
    const c = this.counters.get(key);
    if (isLive(c, now.getTime())) c.count += delta;
  }
  async reset(key: string) {
    this.counters.delete(key);
  }
}

export class InMemorySigningKeys implements SigningKeyRepository {
  readonly keys = new Map<string, SigningKey>();
  async list() {
    return [...this.keys.values()].map((k) => ({ ...k }));
  }
  async insert(key: SigningKey) {
    this.keys.set(key.kid, { ...key });
  }
  async retireOthers(kid: string, createdAt: Date, retiredAt: Date, removeAfter: Date) {
    for (const k of this.keys.values()) {
      if (k.kid !== kid && k.retiredAt === null && k.createdAt <= createdAt)
        Object.assign(k, { retiredAt, removeAfter });
    }
  }
  async purge(now: Date) {
    for (const k of [...this.keys.values()]) {
      if (k.retiredAt !== null && k.removeAfter !== null && k.removeAfter <= now) this.keys.delete(k.kid);
    }
  }
  async removeOthers(kid: string, createdAt: Date) {
    for (const k of [...this.keys.values()]) {
      if (k.kid !== kid && k.createdAt <= createdAt) this.keys.delete(k.kid);
    }
  }
}
