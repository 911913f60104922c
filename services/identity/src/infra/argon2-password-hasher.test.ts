import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from './argon2-password-hasher.ts';

describe('argon2 password hasher', () => {
  it('when hashing, then it uses argon2id at the OWASP parameters and a fresh salt', async () => {
    const hasher = createPasswordHasher();
    const a = await hasher.hash('correct horse');
    const b = await hasher.hash('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('when verifying, then only the right password passes and a broken hash is a plain no', async () => {
    const hasher = createPasswordHasher();
    const stored = await hasher.hash('correct horse');
    expect(await hasher.verify(stored, 'correct horse')).toBe(true);
    expect(await hasher.verify(stored, 'Correct horse')).toBe(false);
    expect(await hasher.verify('not a hash', 'correct horse')).toBe(false);
    await expect(hasher.waste('anything')).resolves.toBeUndefined();
  });
});
