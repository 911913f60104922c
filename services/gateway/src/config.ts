import { BaseConfigSchema, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
const positiveInt = z.coerce.number().int().positive();

export const DEFAULT_ATTACHMENT_BODY_LIMIT = 11 * 1024 * 1024;

/** `false`/`true` or the number of proxies in front of the gateway whose `x-forwarded-*` we believe. */
const trustProxy = z
  .string()
  .regex(/^(true|false|\d+)$/, 'expected true, false or a number of trusted proxy hops')
  .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v)));

export const GatewayConfigSchema = BaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  IDENTITY_URL: url.default('http://127.0.0.1:8081'),
  TICKETS_URL: url.default('http://127.0.0.1:8082'),
  SLA_URL: url.default('http://127.0.0.1:8083'),
  REPORTING_URL: url.default('http://127.0.0.1:8084'),
  /** Defaults to identity's JWKS under IDENTITY_URL. */
  JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().min(1).default('helpdesk-identity'),
  JWT_AUDIENCE: z.string().min(1).default('helpdesk'),
  TOKEN_CACHE_SIZE: positiveInt.default(10_000),
  /** Identity's INTERNAL_TOKEN, for its revocation snapshot; leave unset when identity has none. */
  INTERNAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'expected an amqp:// or amqps:// URL'),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  RATE_LIMIT_IP_MAX: positiveInt.default(1200),
  RATE_LIMIT_USER_MAX: positiveInt.default(600),
  TRUST_PROXY: trustProxy.default(0),
  BODY_LIMIT: positiveInt.default(1024 * 1024),
  /**
   * Bodies of `POST /api/tickets/{id}/attachments/`: the tickets service's ATTACHMENT_MAX_BYTES
   * (10 MiB) and room for the multipart form around the file.
   */
  ATTACHMENT_BODY_LIMIT: positiveInt.default(DEFAULT_ATTACHMENT_BODY_LIMIT),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(30_000),
  UPSTREAM_CONNECTIONS: positiveInt.default(128),
  /** Requests per service that may wait for a busy pool's connection; more are refused with 503. */
  UPSTREAM_QUEUE_MAX: z.coerce.number().int().min(0).default(1024),
  OPENAPI_TTL_MS: positiveInt.default(30_000),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema> & { JWKS_URL: string };

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const config = loadConfig(GatewayConfigSchema, env);
  return { ...config, JWKS_URL: config.JWKS_URL ?? new URL('/api/auth/jwks.json', config.IDENTITY_URL).href };
}
