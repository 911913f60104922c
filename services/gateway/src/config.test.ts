import { ConfigError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.ts';

const base = { AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' };

describe('gateway config', () => {
  it('has working defaults, with the JWKS under identity', () => {
    const c = loadGatewayConfig({ ...base, IDENTITY_URL: 'http://identity:8081' });
    expect(c).toMatchObject({
      PORT: 8080,
      JWKS_URL: 'http://identity:8081/api/auth/jwks.json',
      BODY_LIMIT: 1024 * 1024,
      ATTACHMENT_BODY_LIMIT: 11 * 1024 * 1024,
      TRUST_PROXY: 0,
      RATE_LIMIT_IP_MAX: 1200,
      RATE_LIMIT_USER_MAX: 600,
    });
  });

  it('reads TRUST_PROXY as true, false or a number of hops', () => {
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(0);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
  });

  it('lists every bad variable at once', () => {
    try {
      loadGatewayConfig({
        TRUST_PROXY: 'maybe',
        BODY_LIMIT: '-1',
        ATTACHMENT_BODY_LIMIT: 'lots',
        TICKETS_URL: 'ftp://x',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const v of ['AMQP_URL', 'TRUST_PROXY', 'BODY_LIMIT', 'ATTACHMENT_BODY_LIMIT', 'TICKETS_URL']) {
        expect(problems).toContain(v);
      }
    }
  });
});
