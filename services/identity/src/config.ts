import { BaseConfigSchema, databaseName as databaseNameOr, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';
import { parseDuration } from './domain/duration.ts';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const seconds = parseDuration(s);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a duration such as 90s, 15m, 12h or 14d' });
        return z.NEVER;
      }
      return seconds;
    });

const flag = (fallback: boolean) => z.stringbool().default(fallback);
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** What the data layer needs; the CLIs use only this part. */
export const StoreConfigSchema = BaseConfigSchema.extend({
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// URL'),
  JWT_ISSUER: z.string().min(1).default('helpdesk-identity'),
  JWT_AUDIENCE: z.string().min(1).default('helpdesk'),
  /** Seconds. */
  ACCESS_TOKEN_TTL: duration('15m'),
  REFRESH_TOKEN_TTL: duration('14d'),
  /** The active signing key is replaced at start once it is this old; `0` turns that off. */
  SIGNING_KEY_MAX_AGE: duration('30d'),
  /** How often a replica rereads the signing keys, so it picks up another replica's rotation. */
  SIGNING_KEY_RELOAD: duration('60s'),
});

export const ConfigSchema = StoreConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8081),
  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'an amqp:// URL'),
  BOOTSTRAP_ADMIN_USERNAME: z.string().min(1).optional(),
  BOOTSTRAP_ADMIN_EMAIL: z.string().min(1).optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(1).optional(),
  BOOTSTRAP_ADMIN_ORG: z.string().min(1).default('default'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: count(10),
  LOGIN_MAX_FAILURES_PER_IP: count(50),
  LOGIN_THROTTLE_WINDOW: duration('15m'),
  /** Take the client address from `x-client-ip`, which the gateway sets to the address it saw. */
  TRUST_PROXY: flag(false),
  /**
   * `GET /internal/revocations` and `GET /internal/users` answer only requests carrying it in
   * `x-internal-token`. Long
   * enough that guessing it is hopeless. Required in production; without it (development, tests)
   * the route is open to whoever reaches the port.
   */
  INTERNAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
}).superRefine(
  (c, ctx) => {
    const set = [c.BOOTSTRAP_ADMIN_USERNAME, c.BOOTSTRAP_ADMIN_EMAIL, c.BOOTSTRAP_ADMIN_PASSWORD];
    if (set.some(Boolean) && !set.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOOTSTRAP_ADMIN_USERNAME'],
        message: 'set BOOTSTRAP_ADMIN_USERNAME, _EMAIL and _PASSWORD together, or none of them',
      });
    }
    if (c.NODE_ENV === 'production' && c.INTERNAL_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_TOKEN'],
        message: 'required when NODE_ENV=production (the revocation snapshot must not be open)',
      });
    }
  },
  // Also when other variables are bad, so that every problem is listed at once. Only reads
  // fields in ways that hold for any input.
  { when: () => true },
);

/** The `create-admin` command: the store, plus the password when it does not come on stdin. */
export const CliConfigSchema = StoreConfigSchema.extend({ ADMIN_PASSWORD: z.string().min(1).optional() });

export type StoreConfig = z.infer<typeof StoreConfigSchema>;
export type CliConfig = z.infer<typeof CliConfigSchema>;
export type Config = z.infer<typeof ConfigSchema>;

export const loadIdentityConfig = (env: Record<string, string | undefined>): Config =>
  loadConfig(ConfigSchema, env);

export const loadStoreConfig = (env: Record<string, string | undefined>): StoreConfig =>
  loadConfig(StoreConfigSchema, env);

export const loadCliConfig = (env: Record<string, string | undefined>): CliConfig =>
  loadConfig(CliConfigSchema, env);

/** The database named in MONGO_URL, else `identity`. */
export const databaseName = (mongoUrl: string): string => databaseNameOr(mongoUrl, 'identity');
