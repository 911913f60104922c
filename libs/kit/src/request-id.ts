import { randomUUID } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a caller's id when it is safe to log and echo; otherwise makes a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header && SAFE_ID.test(header) ? header : randomUUID();
}
