import { describe, expect, it } from 'vitest';
import { RevocationList } from './revocation-list.ts';

const token = (over: Partial<{ jti: string; sub: string; iat: number; sid: string }> = {}) => ({
  jti: 'j1',
  sub: 'u1',
  iat: 1_000,
  sid: 's1',
  ...over,
});

describe('RevocationList', () => {
  it('when a jti is revoked, then only that token is revoked', () => {
    const list = new RevocationList(() => 0);
    list.revokeToken('j1', 10_000);
    expect(list.isRevoked(token())).toBe(true);
    expect(list.isRevoked(token({ jti: 'j2', sid: 's2' }))).toBe(false);
  });

  it('when a session is revoked, then every token of that session is revoked', () => {
    const list = new RevocationList(() => 0);
    list.revokeSession('s1', 10_000);
    expect(list.isRevoked(token({ jti: 'j9' }))).toBe(true);
    expect(list.isRevoked(token({ jti: 'j9', sid: 's2' }))).toBe(false);
    expect(list.isRevoked({ jti: 'j9', sub: 'u1', iat: 1_000, sid: undefined })).toBe(false);
  });

  it('when a subject is cut off, then its tokens issued up to the cut-off are revoked and later ones are not', () => {
    const list = new RevocationList(() => 0);
    list.revokeSubject('u1', 2_000_000, 10_000_000);
    expect(list.isRevoked(token({ iat: 2_000 }))).toBe(true);
    expect(list.isRevoked(token({ iat: 2_001, jti: 'x', sid: 'y' }))).toBe(false);
    expect(list.isRevoked(token({ sub: 'u2', iat: 1, jti: 'x', sid: 'y' }))).toBe(false);
  });

  it('when a later cut-off arrives out of order, then the latest cut-off wins', () => {
    const list = new RevocationList(() => 0);
    list.revokeSubject('u1', 5_000_000, 10_000_000);
    list.revokeSubject('u1', 2_000_000, 10_000_000);
    expect(list.isRevoked(token({ iat: 4_000, jti: 'x', sid: 'y' }))).toBe(true);
  });

  it('when a revocation arrives again with an earlier horizon, then the later one is kept', () => {
    let now = 0;
    const list = new RevocationList(() => now);
    list.revokeSession('s1', 900_000);
    list.revokeSession('s1', 300_000);
    list.revokeToken('j1', 900_000);
    list.revokeToken('j1', 300_000);
    now = 600_000;
    list.revokeToken('other', 10_000_000);
    expect(list.isRevoked(token({ jti: 'j9' }))).toBe(true);
    expect(list.isRevoked(token({ sid: 's9' }))).toBe(true);
  });

  it('when entries expire, then they are forgotten so memory stays bounded', () => {
    let now = 0;
    const list = new RevocationList(() => now);
    list.revokeToken('j1', 5_000);
    list.revokeSession('s1', 5_000);
    list.revokeSubject('u1', 1, 5_000);
    expect(list.size).toBe(3);
    now = 6_000;
    list.revokeToken('j2', 60_000);
    expect(list.size).toBe(1);
  });
});
