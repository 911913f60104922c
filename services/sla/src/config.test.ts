import { ConfigError } from '@helpdesk/kit';
import { describe, expect, it } from 'vitest';
import { loadSlaConfig } from './config.ts';

const required = { MONGO_URL: 'mongodb://127.0.0.1/sla', AMQP_URL: 'amqp://127.0.0.1' };

describe('loadSlaConfig', () => {
  it('when only the required variables are set, then the defaults are those of DESIGN.md', () => {
    expect(loadSlaConfig(required)).toMatchObject({
      PORT: 8083,
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'helpdesk',
      SLA_TASK_QUEUE: 'sla',
      QUEUE_PREFIX: 'sla',
      SLA_WORKER: true,
      JWKS_URL: 'http://127.0.0.1:8081/api/auth/jwks.json',
    });
  });

  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('when SLA_WORKER is %s, then the worker runs: %s', (value, expected) => {
    expect(loadSlaConfig({ ...required, SLA_WORKER: value }).SLA_WORKER).toBe(expected);
  });

  it('when variables are bad, then every one of them is named at once', () => {
    const bad = {
      ...required,
      SLA_WORKER: 'maybe',
      TEMPORAL_ADDRESS: 'localhost',
      SLA_TASK_QUEUE: 'Has Spaces',
    };
    let error: unknown;
    try {
      loadSlaConfig(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(names.sort()).toEqual(['SLA_TASK_QUEUE', 'SLA_WORKER', 'TEMPORAL_ADDRESS']);
  });
});
