import { type Algorithm, hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../domain/ports.ts';

// The package's enum is `const` (erased), so its value is spelled out: Argon2id.
const ARGON2ID = 2 as Algorithm;

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function createPasswordHasher(): PasswordHasher {
  let decoy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, ARGON2_OPTIONS),
    async verify(stored, password) {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    },
    async waste(password) {
      decoy ??= hash('decoy password nobody has', ARGON2_OPTIONS);
      await verify(await decoy, password).catch(() => false);
    },
  };
}
