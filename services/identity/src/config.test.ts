import { ConfigError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { databaseName, loadIdentityConfig } from './config.ts';

const base = { MONGO_URL: 'mongodb://127.0.0.1:27017', AMQP_URL: 'amqp://127.0.0.1' };

describe('identity config', () => {
  it('when only the URLs are set, then the documented defaults apply', () => {
    expect(loadIdentityConfig(base)).toMatchObject({
      PORT: 8081,
      JWT_ISSUER: 'helpdesk-identity',
      JWT_AUDIENCE: 'helpdesk',
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 1_209_600,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 10,
      LOGIN_MAX_FAILURES_PER_IP: 50,
      LOGIN_THROTTLE_WINDOW: 900,
      TRUST_PROXY: false,
      BOOTSTRAP_ADMIN_ORG: 'default',
    });
  });

  it('when several variables are wrong, then all of them are reported at once', () => {
    const err = (() => {
      try {
        loadIdentityConfig({ MONGO_URL: 'http://x', ACCESS_TOKEN_TTL: '15 minutes', TRUST_PROXY: 'maybe' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const names = err.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining(['MONGO_URL', 'AMQP_URL', 'ACCESS_TOKEN_TTL', 'TRUST_PROXY']),
    );
  });

  it('when only part of the bootstrap admin is set, then the config is refused', () => {
    expect(() => loadIdentityConfig({ ...base, BOOTSTRAP_ADMIN_USERNAME: 'root' })).toThrow(
      /BOOTSTRAP_ADMIN/,
    );
    expect(
      loadIdentityConfig({
        ...base,
        BOOTSTRAP_ADMIN_USERNAME: 'root',
        BOOTSTRAP_ADMIN_EMAIL: 'root@example.com',
        BOOTSTRAP_ADMIN_PASSWORD: 'secret password',
        TRUST_PROXY: 'true',
      }),
    ).toMatchObject({ BOOTSTRAP_ADMIN_USERNAME: 'root', TRUST_PROXY: true });
  });

  it('when INTERNAL_TOKEN is set, then it must be long enough to resist guessing', () => {
    expect(loadIdentityConfig(base).INTERNAL_TOKEN).toBeUndefined();
    expect(() => loadIdentityConfig({ ...base, INTERNAL_TOKEN: 'short' })).toThrow(/INTERNAL_TOKEN/);
    const token = 'x'.repeat(32);
    expect(loadIdentityConfig({ ...base, INTERNAL_TOKEN: token }).INTERNAL_TOKEN).toBe(token);
  });

  it('when NODE_ENV is production, then INTERNAL_TOKEN is required and reported with the other problems', () => {
    const err = (() => {
      try {
        loadIdentityConfig({ NODE_ENV: 'production', MONGO_URL: 'http://x' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^INTERNAL_TOKEN: required when NODE_ENV=production/),
        expect.stringMatching(/^MONGO_URL:/),
        expect.stringMatching(/^AMQP_URL:/),
      ]),
    );
    const token = 'x'.repeat(32);
    expect(loadIdentityConfig({ ...base, NODE_ENV: 'production', INTERNAL_TOKEN: token })).toMatchObject({
      NODE_ENV: 'production',
      INTERNAL_TOKEN: token,
    });
    for (const NODE_ENV of ['development', 'test'])
      expect(loadIdentityConfig({ ...base, NODE_ENV }).INTERNAL_TOKEN).toBeUndefined();
  });

  it('when MONGO_URL names no database, then it is identity', () => {
    expect(databaseName('mongodb://h:1')).toBe('identity');
    expect(databaseName('mongodb://h:1/')).toBe('identity');
    expect(databaseName('mongodb://u:p@h1:1,h2:2/custom?replicaSet=rs')).toBe('custom');
  });
});
