import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BaseConfigSchema, ConfigError, loadConfig } from './config.ts';

const Schema = BaseConfigSchema.extend({ PORT: z.coerce.number().int().min(1), MONGO_URL: z.string().url() });

describe('loadConfig', () => {
  it('when the env is valid, then it returns typed values with defaults', () => {
    const c = loadConfig(Schema, { PORT: '8081', MONGO_URL: 'mongodb://127.0.0.1:27017/x' });
    expect(c).toMatchObject({ PORT: 8081, LOG_LEVEL: 'info', HOST: '127.0.0.1' });
  });

  it('when several variables are bad, then every one of them is listed at once', () => {
    try {
      loadConfig(Schema, { PORT: 'abc', MONGO_URL: 'nope', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const paths = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(paths.sort()).toEqual(['LOG_LEVEL', 'MONGO_URL', 'PORT']);
    }
  });
});
