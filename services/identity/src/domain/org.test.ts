import { describe, expect, it } from 'vitest';
import { orgIdFromName } from './org.ts';

describe('orgIdFromName', () => {
  it.each([
    ['Acme Corp', 'acme-corp'],
    ['  acme   corp ', 'acme-corp'],
    ['Société Générale', 'societe-generale'],
    ['ACME', 'acme'],
    ['--', ''],
    ['a'.repeat(60), 'a'.repeat(48)],
  ])('when the name is %j, then the id is %j', (name, id) => {
    expect(orgIdFromName(name)).toBe(id);
  });
});
