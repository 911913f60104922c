import { parse } from 'yaml';
import { configProblems, SERVICES } from './service-config.ts';

// biome-ignore lint/suspicious/noExplicitAny: compose fields, checked one by one
type Json = any;

/** The infrastructure the stack must run for real, besides the five services. */
const INFRA = ['mongo', 'rabbitmq', 'temporal-db', 'temporal', 'temporal-init', 'temporal-ui'];
/** Who may publish a port on the host, and which container ports: the gateway and the two UIs. */
const PUBLISHED: Record<string, number[]> = { gateway: [8080], rabbitmq: [15672], 'temporal-ui': [8080] };

/**
 * Values for the variables the compose file requires from the operator's shell (`${X:?...}`), to
 * resolve the file as `docker compose` would before the services' config loaders judge it.
 */
export const COMPOSE_EXAMPLE_ENV: Record<string, string> = {
  INTERNAL_TOKEN: 'an-example-internal-token-of-at-least-32-characters',
  ADMIN_PASSWORD: 'an example password',
};

/** Resolves `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$` as docker compose does. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (all, name, op, arg) => {
    if (all === '$$') return '$';
    const value = env[name];
    const unset = op?.startsWith(':') ? !value : value === undefined;
    if (op?.endsWith('?') && unset) throw new Error(`required variable ${name} is not set: ${arg}`);
    if (op?.endsWith('-') && unset) return arg;
    return value ?? '';
  });
}

const containerPort = (p: Json): number => {
  if (typeof p === 'object') return Number(p.target);
  const parts = String(p).split('/')[0]?.split(':') ?? [];
  return Number(parts[parts.length - 1]);
};

/** Parses docker-compose.yml (merge keys on) after interpolation. */
export function parseCompose(
  text: string,
  env: Record<string, string | undefined> = COMPOSE_EXAMPLE_ENV,
): Json {
  return parse(interpolate(text, env), { merge: true });
}

/** The structural rules of docker-compose.yml; an empty list means it passes. */
export async function checkCompose(doc: Json): Promise<string[]> {
  const problems: string[] = [];
  const services: Record<string, Json> = doc?.services ?? {};
  const volumes = new Set(Object.keys(doc?.volumes ?? {}));
  for (const name of [...SERVICES, ...INFRA]) {
    if (!services[name]) problems.push(`service ${name} is missing`);
  }
  const oneShot = (s: Json) => s?.restart === 'no';
  for (const [name, s] of Object.entries(services)) {
    const say = (msg: string) => problems.push(`${name}: ${msg}`);
    if (!s.image && !s.build) say('has neither image nor build');
    if (!oneShot(s) && !s.healthcheck?.test && name !== 'temporal-ui') say('has no healthcheck');
    const deps = s.depends_on ?? {};
    if (Array.isArray(deps)) say('depends_on must say which condition to wait for, not just list services');
    else {
      for (const [dep, spec] of Object.entries<Json>(deps)) {
        const target = services[dep];
        if (!target) say(`depends on ${dep}, which does not exist`);
        else if (spec?.condition === 'service_healthy' && !target.healthcheck?.test) {
          say(`waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
        } else if (spec?.condition === 'service_completed_successfully' && !oneShot(target)) {
          say(`waits for ${dep} to complete, but ${dep} is not a one-shot service (restart: "no")`);
        } else if (!['service_healthy', 'service_completed_successfully'].includes(spec?.condition)) {
          say(`depends on ${dep} with condition ${spec?.condition ?? '(none)'}`);
        }
      }
    }
    const allowed = PUBLISHED[name] ?? [];
    for (const p of s.ports ?? []) {
      if (!allowed.includes(containerPort(p))) say(`publishes ${JSON.stringify(p)} on the host`);
    }
    for (const v of s.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0] : v.source;
      if (source && !/^[./~]/.test(source) && !volumes.has(source)) say(`volume ${source} is not declared`);
    }
  }
  for (const name of ['mongo', 'rabbitmq', 'temporal-db']) {
    const mounts: Json[] = services[name]?.volumes ?? [];
    const named = mounts.some((v) => {
      const source = typeof v === 'string' ? v.split(':')[0] : v.source;
      return source !== undefined && volumes.has(source);
    });
    if (services[name] && !named) problems.push(`${name}: keeps its data outside a named volume`);
  }
  const mongo = services.mongo;
  if (mongo && !/^mongo:8/.test(mongo.image ?? '')) problems.push('mongo: not the MongoDB 8 image');
  if (mongo && !JSON.stringify(mongo.command ?? '').includes('--replSet'))
    problems.push('mongo: not a replica set');
  if (services.rabbitmq && !/^rabbitmq:4[.\d-]*-management/.test(services.rabbitmq.image ?? '')) {
    problems.push('rabbitmq: not the RabbitMQ 4 image with the management UI');
  }
  for (const name of SERVICES) {
    const s = services[name];
    if (!s) continue;
    // What the image's ENV sets (Dockerfile), then the service's own.
    const env = {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      ...Object.fromEntries(Object.entries<Json>(s.environment ?? {}).map(([k, v]) => [k, String(v)])),
    };
    if (Array.isArray(s.environment)) problems.push(`${name}: environment as a list; use a map`);
    const problem = await configProblems(name, env);
    if (problem) problems.push(`${name}: the service rejects its env: ${problem}`);
  }
  const identity = services.identity?.environment ?? {};
  for (const key of ['BOOTSTRAP_ADMIN_USERNAME', 'BOOTSTRAP_ADMIN_EMAIL', 'BOOTSTRAP_ADMIN_PASSWORD']) {
    if (!identity[key]) problems.push(`identity: ${key} is not set (the first admin comes from env)`);
  }
  return problems;
}
