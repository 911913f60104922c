import type { Principal } from './principal.ts';

/**
 * Access tokens that must stop working before they expire: single tokens by `jti`, whole login
 * sessions by `sid`, and every
 * token of a user issued at or before a cut-off (deactivation, role change). Entries are kept
 * until the last token they cover has expired, then forgotten, so memory stays bounded by the
 * number of revocations within one token lifetime.
 */
export class RevocationList {
  private readonly jtis = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly subjects = new Map<string, { notBefore: number; expiresAt: number }>();
  private lastPrune = 0;

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** `expiresAt` in ms since the epoch. */
  revokeToken(jti: string, expiresAt: number): void {
    // The same revocation arrives from several paths (local logout, event, snapshot) with
    // different horizons; the latest one must win whatever the order.
    this.jtis.set(jti, Math.max(this.jtis.get(jti) ?? 0, expiresAt));
    this.prune();
  }

  /** Every access token of one login session (`sid` claim) stops working. */
  revokeSession(sid: string, expiresAt: number): void {
    this.sessions.set(sid, Math.max(this.sessions.get(sid) ?? 0, expiresAt));
    this.prune();
  }

  /** Every token of `sub` issued at or before `notBefore` (ms) stops working. */
  revokeSubject(sub: string, notBefore: number, expiresAt: number): void {
    const prev = this.subjects.get(sub);
    this.subjects.set(sub, {
      notBefore: Math.max(prev?.notBefore ?? 0, notBefore),
      expiresAt: Math.max(prev?.expiresAt ?? 0, expiresAt),
    });
    this.prune();
  }

  isRevoked(p: Pick<Principal, 'jti' | 'sub' | 'iat' | 'sid'>): boolean {
    if (this.jtis.has(p.jti)) return true;
    if (p.sid !== undefined && this.sessions.has(p.sid)) return true;
    const cut = this.subjects.get(p.sub);
    return cut !== undefined && p.iat * 1000 <= cut.notBefore;
  }

  get size(): number {
    return this.jtis.size + this.sessions.size + this.subjects.size;
  }

  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [jti, exp] of this.jtis) if (exp <= now) this.jtis.delete(jti);
    for (const [sid, exp] of this.sessions) if (exp <= now) this.sessions.delete(sid);
    for (const [sub, cut] of this.subjects) if (cut.expiresAt <= now) this.subjects.delete(sub);
  }
}
