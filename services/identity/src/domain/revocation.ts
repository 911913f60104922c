/**
 * A revoked login session or access token, kept in the user's document until no token it
 * covers can still be alive, so that a process starting later learns it from the revocation
 * snapshot instead of only from the `session.revoked` event it missed.
 */
export interface StoredRevocation {
  /** The session (`sid`) whose access tokens all stop working; null for a lone token. */
  sessionId: string | null;
  jti: string | null;
  revokedAt: Date;
  /** No access token it covers outlives this; the entry is pruned after it. */
  expiresAt: Date;
}

/** `list` plus `entry`, without the entries no longer in force, so the list stays bounded. */
export const withRevocation = (
  list: StoredRevocation[],
  entry: StoredRevocation,
  now: Date,
): StoredRevocation[] => [...list.filter((r) => r.expiresAt > now), entry];
