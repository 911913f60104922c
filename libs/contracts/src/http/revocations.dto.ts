import { z } from 'zod';

/*
 * Identity's internal snapshot of access-token revocations still in force (`GET
 * /internal/revocations`). A service loads it at start so that a logout or a refresh-token reuse
 * made while it was down still holds; afterwards `session.revoked` events keep it current. Each
 * entry carries `expiresAt`: no token it covers outlives it, so a consumer may forget it then.
 */

const instant = z.iso.datetime({ offset: true });

export const RevocationEntrySchema = z.discriminatedUnion('kind', [
  /** Every access token of one login session (`sid` claim): logout, refresh-token reuse. */
  z.object({ kind: z.literal('session'), sid: z.string().min(1), expiresAt: instant }),
  /** One access token (`jti` claim). */
  z.object({ kind: z.literal('token'), jti: z.string().min(1), expiresAt: instant }),
  /** Every access token of a user issued at or before `notBefore`: deactivation, role change. */
  z.object({ kind: z.literal('subject'), sub: z.string().min(1), notBefore: instant, expiresAt: instant }),
]);
export type RevocationEntry = z.infer<typeof RevocationEntrySchema>;

export const RevocationSnapshotSchema = z.object({
  /** When identity read its records; revocations after it arrive as `session.revoked` events. */
  generatedAt: instant,
  entries: z.array(RevocationEntrySchema),
});
export type RevocationSnapshot = z.infer<typeof RevocationSnapshotSchema>;
