import type { Envelope } from '@helpdesk/contracts';
import { outboxEntries, withOutbox } from '@helpdesk/messaging';
import type { UpdateQuery } from 'mongoose';
import { EmailTakenError, UsernameTakenError } from '../domain/identity.errors.ts';
import type { NewUser, UserChange, UserLookup, UserRepository } from '../domain/ports.ts';
import { emailKey, type User, type UserRecord, usernameKey } from '../domain/user.ts';
import type { UserDoc, UserModel } from './user.model.ts';

const PUBLIC = {
  passwordHash: 0,
  sessions: 0,
  sessionsRev: 0,
  tokensValidFrom: 0,
  revocations: 0,
  usernameKey: 0,
  emailKey: 0,
} as const;

type PublicDoc = Omit<UserDoc, keyof typeof PUBLIC>;

function toUser(d: PublicDoc): User {
  return {
    id: d._id,
    orgId: d.orgId,
    username: d.username,
    email: d.email,
    firstName: d.firstName,
    lastName: d.lastName,
    role: d.role,
    active: d.active,
    version: d.version,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function toRecord(d: UserDoc): UserRecord {
  return {
    ...toUser(d),
    passwordHash: d.passwordHash,
    sessions: d.sessions ?? [],
    sessionsRev: d.sessionsRev ?? 0,
    tokensValidFrom: d.tokensValidFrom ?? null,
    revocations: d.revocations ?? [],
  };
}

/** E11000 → the domain error of the unique key that was hit. */
function duplicateKey(err: unknown): Error | undefined {
  const e = err as { code?: number; keyPattern?: Record<string, unknown>; message?: string };
  if (e?.code !== 11000) return undefined;
  const key = Object.keys(e.keyPattern ?? {})[0] ?? e.message ?? '';
  return key.includes('emailKey') ? new EmailTakenError() : new UsernameTakenError();
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createUserRepository(Users: UserModel): UserRepository {
  return {
    async create(user: NewUser, events: Envelope[]) {
      try {
        const doc = await Users.create({
          ...user,
          _id: user.id,
          usernameKey: usernameKey(user.username),
          emailKey: emailKey(user.email),
          sessionsRev: 0,
          outbox: outboxEntries(...events),
        });
        return toUser(doc.toObject() as UserDoc);
      } catch (err) {
        throw duplicateKey(err) ?? err;
      }
    },

    async findById(orgId, id) {
      const doc = await Users.findOne({ _id: id, orgId }, PUBLIC).lean<PublicDoc>();
      return doc ? toUser(doc) : null;
    },

    async findRecord(by: UserLookup) {
      if ('login' in by) {
        const key = by.login.trim().toLowerCase();
        const docs = await Users.find({ $or: [{ usernameKey: key }, { emailKey: key }] })
          .limit(2)
          .lean<UserDoc[]>();
        // Usernames and emails never collide by design; should a race let them, username wins.
        const doc = docs.find((d) => d.usernameKey === key) ?? docs[0];
        return doc ? toRecord(doc) : null;
      }
      const filter = 'sessionId' in by ? { 'sessions.id': by.sessionId } : { _id: by.id, orgId: by.orgId };
      const doc = await Users.findOne(filter).lean<UserDoc>();
      return doc ? toRecord(doc) : null;
    },

    async update(orgId, id, expect, change: UserChange) {
      const events = change.events ?? [];
      const $set: Record<string, unknown> = {};
      if (change.set) {
        Object.assign($set, change.set, { updatedAt: new Date() });
        if (change.set.email !== undefined) $set.emailKey = emailKey(change.set.email);
      }
      if (change.sessions) $set.sessions = change.sessions;
      if (change.tokensValidFrom) $set.tokensValidFrom = change.tokensValidFrom;
      if (change.revocations) $set.revocations = change.revocations;
      const $inc: Record<string, number> = {};
      if (events.length > 0) $inc.version = events.length;
      if (change.sessions) $inc.sessionsRev = 1;
      const update: UpdateQuery<UserDoc> = { $set, ...(Object.keys($inc).length > 0 ? { $inc } : {}) };
      const filter = {
        _id: id,
        orgId,
        ...(expect.version !== undefined ? { version: expect.version } : {}),
        ...(expect.sessionsRev !== undefined ? { sessionsRev: expect.sessionsRev } : {}),
      };
      try {
        const doc = await Users.findOneAndUpdate(filter, withOutbox(update, ...events), {
          returnDocument: 'after',
          projection: PUBLIC,
        }).lean<PublicDoc>();
        return doc ? toUser(doc) : null;
      } catch (err) {
        throw duplicateKey(err) ?? err;
      }
    },

    async tokenCutoffs(since) {
      const docs = await Users.find({ tokensValidFrom: { $gt: since } }, { _id: 1, tokensValidFrom: 1 }).lean<
        Pick<UserDoc, '_id' | 'tokensValidFrom'>[]
      >();
      return docs.flatMap((d) => (d.tokensValidFrom ? [{ userId: d._id, at: d.tokensValidFrom }] : []));
    },

    async revocationsInForce(now) {
      const docs = await Users.find({ 'revocations.expiresAt': { $gt: now } }, { revocations: 1 }).lean<
        Pick<UserDoc, '_id' | 'revocations'>[]
      >();
      // The query matches a user with at least one live entry; the others may sit beside it.
      return docs.flatMap((d) => (d.revocations ?? []).filter((r) => r.expiresAt > now));
    },

    async listAll(page) {
      const docs = await Users.find(page.after === undefined ? {} : { _id: { $gt: page.after } }, PUBLIC)
        .sort({ _id: 1 })
        .limit(page.limit)
        .lean<PublicDoc[]>();
      return docs.map(toUser);
    },

    async search(orgId, filter) {
      const q = filter.q ? new RegExp(escapeRegex(filter.q), 'i') : undefined;
      const docs = await Users.find(
        {
          orgId,
          ...(filter.role ? { role: filter.role } : {}),
          ...(filter.after !== undefined ? { usernameKey: { $gt: filter.after } } : {}),
          ...(q ? { $or: [{ username: q }, { email: q }, { firstName: q }, { lastName: q }] } : {}),
        },
        PUBLIC,
      )
        .sort({ usernameKey: 1 })
        .limit(filter.limit)
        .lean<PublicDoc[]>();
      return docs.map(toUser);
    },
  };
}
