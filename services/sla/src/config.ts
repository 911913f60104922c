import { BaseConfigSchema, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';
import { SLA_TASK_QUEUE } from './workflows/contract.ts';

const url = z.url({ protocol: /^https?$/ });
const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'lower-case letters, digits and _ . -');
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ConfigSchema = BaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// URL'),
  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'an amqp:// URL'),
  IDENTITY_URL: url.default('http://127.0.0.1:8081'),
  /** Defaults to identity's JWKS under IDENTITY_URL. */
  JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().min(1).default('helpdesk-identity'),
  JWT_AUDIENCE: z.string().min(1).default('helpdesk'),
  /** Identity's INTERNAL_TOKEN, for its revocation snapshot; unset when identity has none. */
  INTERNAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  /** host:port of the Temporal frontend. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('helpdesk'),
  /**
   * The task queue of the SLA workflows and their activities. Every process of one deployment
   * uses the same; a second deployment on the same Temporal namespace, or a test, needs its own,
   * or its workers would take the other's tasks.
   */
  SLA_TASK_QUEUE: name.default(SLA_TASK_QUEUE),
  /**
   * Names this service's durable queues (`<prefix>.tickets`, `<prefix>.categories`, and their
   * `.dlq`). Replicas of one deployment share them; a second deployment on the same broker, or a
   * test, needs its own.
   */
  QUEUE_PREFIX: name.default('sla'),
  /** Run the Temporal worker in this process; off for API-only replicas when workers run apart. */
  SLA_WORKER: flag.default(true),
  /**
   * A workflow bundle written at build time (scripts/deploy/bundle-sla-workflows.ts; the image
   * sets it). Unset, the worker bundles the workflow code itself at start: seconds of CPU.
   */
  SLA_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Workflows the worker keeps in memory (about 0.5 MB of RSS each, measured). An evicted one is replayed from
   * its short history when its next timer or signal comes, so this bounds the worker's memory, not
   * the number of tickets it serves.
   */
  SLA_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).default(500),
  /** Workflow tasks run at once (each a few milliseconds of CPU). */
  SLA_WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  /**
   * Concurrent polls for workflow tasks, half of them on the queue of new and evicted workflows
   * (see worker.ts): each start's first task comes from that queue, so its pollers set the start rate.
   */
  SLA_WORKER_WORKFLOW_POLLERS: z.coerce.number().int().min(2).default(16),
  /** Activities (effects written to MongoDB) run at once. */
  SLA_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).default(100),
});
export type Config = z.infer<typeof ConfigSchema> & { JWKS_URL: string };

export function loadSlaConfig(env: Record<string, string | undefined>): Config {
  const config = loadConfig(ConfigSchema, env);
  return { ...config, JWKS_URL: config.JWKS_URL ?? new URL('/api/auth/jwks.json', config.IDENTITY_URL).href };
}
