import { BaseConfigSchema, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'lower-case letters, digits and _ . -');

export const ConfigSchema = BaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8084),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// URL'),
  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'an amqp:// URL'),
  IDENTITY_URL: url.default('http://127.0.0.1:8081'),
  /** Defaults to identity's JWKS under IDENTITY_URL. */
  JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().min(1).default('helpdesk-identity'),
  JWT_AUDIENCE: z.string().min(1).default('helpdesk'),
  /**
   * The deployment's service-to-service secret: sent to identity for its revocation snapshot, and
   * required in `x-internal-token` on `POST /internal/reports/rebuild` (refused while unset).
   */
  INTERNAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Names this service's durable queue (`<prefix>.events` and its `.dlq`). Replicas of one
   * deployment share it; a second deployment on the same broker, or a test, needs its own.
   */
  QUEUE_PREFIX: name.default('reporting'),
  /**
   * Deliveries held unacked at once; each is one event. Large enough for batches to fill: a
   * ticket's next event is only handed over once its previous one has been projected.
   */
  CONSUMER_PREFETCH: z.coerce.number().int().min(1).max(1000).default(512),
  /** Events projected together at most (see consumers/report-events.consumer.ts). */
  CONSUMER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(256),
  /** How long an idle consumer's first event waits for others to join its batch. */
  CONSUMER_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1000).default(5),
});
export type Config = z.infer<typeof ConfigSchema> & { JWKS_URL: string };

export function loadReportingConfig(env: Record<string, string | undefined>): Config {
  const config = loadConfig(ConfigSchema, env);
  return { ...config, JWKS_URL: config.JWKS_URL ?? new URL('/api/auth/jwks.json', config.IDENTITY_URL).href };
}
