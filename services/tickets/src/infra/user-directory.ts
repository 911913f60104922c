import type { UserSnapshot } from '@helpdesk/contracts';
import { applyIfNewer } from '@helpdesk/messaging';
import type { KnownUser, UserDirectory } from '../domain/ports.ts';
import type { KnownUserDoc, KnownUserModel } from './known-user.model.ts';

const toUser = ({ _id, sequence: _s, ...rest }: KnownUserDoc): KnownUser => ({ id: _id, ...rest });

export interface WritableUserDirectory extends UserDirectory {
  /** Stores the user as of `sequence`, unless a later state is already stored. */
  record(user: UserSnapshot, sequence: number): Promise<boolean>;
}

export function createUserDirectory(Users: KnownUserModel): WritableUserDirectory {
  return {
    async find(orgId, id) {
      const doc = await Users.findOne({ _id: id, orgId }).lean<KnownUserDoc>();
      return doc ? toUser(doc) : null;
    },
    async findMany(orgId, ids) {
      const docs = await Users.find({ _id: { $in: ids }, orgId }).lean<KnownUserDoc[]>();
      return docs.map(toUser);
    },
    record(user, sequence) {
      const { id, ...fields } = user;
      return applyIfNewer(Users, { _id: id }, sequence, { $set: fields }, { upsert: true });
    },
  };
}
