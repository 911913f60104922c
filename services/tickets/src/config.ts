import { BaseConfigSchema, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
const positiveInt = z.coerce.number().int().positive();

export const ConfigSchema = BaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8082),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// URL'),
  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'an amqp:// URL'),
  IDENTITY_URL: url.default('http://127.0.0.1:8081'),
  /** Defaults to identity's JWKS under IDENTITY_URL. */
  JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().min(1).default('helpdesk-identity'),
  JWT_AUDIENCE: z.string().min(1).default('helpdesk'),
  /** Identity's INTERNAL_TOKEN, for its revocation and user snapshots; unset when identity has none. */
  INTERNAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Names this service's durable queues (`<prefix>.users`, `<prefix>.escalations`, and their
   * `.dlq`). Replicas of one deployment share them (each event is handled once); a second
   * deployment on the same broker, or a test, needs its own.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'lower-case letters, digits and _ . -')
    .default('tickets'),
  /** Largest attachment accepted, in bytes. */
  ATTACHMENT_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  /** Comments per ticket; the thread lives in the ticket's document, which must stay far below 16 MB. */
  MAX_COMMENTS_PER_TICKET: positiveInt.default(1000),
});
export type Config = z.infer<typeof ConfigSchema> & { JWKS_URL: string };

export function loadTicketsConfig(env: Record<string, string | undefined>): Config {
  const config = loadConfig(ConfigSchema, env);
  return { ...config, JWKS_URL: config.JWKS_URL ?? new URL('/api/auth/jwks.json', config.IDENTITY_URL).href };
}
