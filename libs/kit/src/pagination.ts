import { ValidationError } from './errors.ts';

/** Opaque cursors: base64url JSON of the sort key of the last item returned. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API issued' }]);
}
