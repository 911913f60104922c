import type { JWK } from 'jose';
import type { SigningKey, SigningKeyRepository } from '../domain/signing-key.ts';
import type { SigningKeyDoc, SigningKeyModel } from './signing-key.model.ts';

const toKey = (d: SigningKeyDoc): SigningKey => ({
  kid: d._id,
  alg: d.alg,
  publicJwk: d.publicJwk as JWK,
  privateJwk: d.privateJwk as JWK,
  createdAt: d.createdAt,
  retiredAt: d.retiredAt ?? null,
  removeAfter: d.removeAfter ?? null,
});

/** Service-wide, not per org: one issuer signs every org's tokens. */
export function createSigningKeyRepository(Keys: SigningKeyModel): SigningKeyRepository {
  return {
    async list() {
      return (await Keys.find({}).lean<SigningKeyDoc[]>()).map(toKey);
    },
    async insert(key) {
      await Keys.create({ ...key, _id: key.kid });
    },
    async retireOthers(kid, createdAt, retiredAt, removeAfter) {
      await Keys.updateMany(
        { _id: { $ne: kid }, retiredAt: null, createdAt: { $lte: createdAt } },
        { $set: { retiredAt, removeAfter } },
      );
    },
    async purge(now) {
      await Keys.deleteMany({ retiredAt: { $ne: null }, removeAfter: { $lte: now } });
    },
    async removeOthers(kid, createdAt) {
      await Keys.deleteMany({ _id: { $ne: kid }, createdAt: { $lte: createdAt } });
    },
  };
}
