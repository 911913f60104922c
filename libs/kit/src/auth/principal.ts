import type { Role } from '@helpdesk/contracts';

/** The caller, as proven by a verified access token. */
export interface Principal {
  sub: string;
  org: string;
  role: Role;
  jti: string;
  sid: string | undefined;
  /** Seconds since the epoch, as in the token. */
  iat: number;
  exp: number;
}
