import { describe, expect, it } from 'vitest';
import { uniqueDbUrl } from './unique-db-url.ts';

describe('uniqueDbUrl', () => {
  it('when the base has no database, then a prefixed one is added', () => {
    expect(uniqueDbUrl('mongodb://127.0.0.1:27117', 'tickets')).toMatch(
      /^mongodb:\/\/127\.0\.0\.1:27117\/tickets_[0-9a-f]{12}$/,
    );
  });

  it('when the base names a database and options, then the database is replaced and options kept', () => {
    const url = uniqueDbUrl('mongodb://u:p@h1:1,h2:2/old?directConnection=true', 'sla');
    expect(url).toMatch(/^mongodb:\/\/u:p@h1:1,h2:2\/sla_[0-9a-f]{12}\?directConnection=true$/);
  });

  it('when called twice with one prefix, then the names differ', () => {
    expect(uniqueDbUrl('mongodb://h', 'x')).not.toBe(uniqueDbUrl('mongodb://h', 'x'));
  });

  it('when the prefix has characters MongoDB forbids, then they are replaced', () => {
    expect(uniqueDbUrl('mongodb://h', 'a.b/c$d')).toMatch(/\/a_b_c_d_[0-9a-f]{12}$/);
  });
});
