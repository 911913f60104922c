import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_EXAMPLE_ENV, checkCompose, interpolate, parseCompose } from './compose-rules.ts';
import { ROOT } from './tools.ts';

const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: compose YAML, changed field by field below
const fresh = (): any => parseCompose(text);

describe('docker-compose.yml', () => {
  it('when checked, then it passes every structural rule', async () => {
    expect(await checkCompose(fresh())).toEqual([]);
  }, 30_000);

  it('when read, then only the gateway and the two UIs publish ports on the host', () => {
    const services = fresh().services as Record<string, { ports?: string[] }>;
    const published = Object.entries(services)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([name, s]) => `${name} ${s.ports?.join(',')}`);
    expect(published.sort()).toEqual(['gateway 8080:8080', 'rabbitmq 15672:15672', 'temporal-ui 8233:8080']);
  });

  it('when INTERNAL_TOKEN is not set, then the file does not resolve, with the reason', () => {
    expect(() => parseCompose(text, { ADMIN_PASSWORD: 'x' })).toThrow(
      /required variable INTERNAL_TOKEN is not set/,
    );
  });

  it('when resolved with the admin from env, then identity creates that first admin', () => {
    const env = parseCompose(text, { ...COMPOSE_EXAMPLE_ENV, ADMIN_USERNAME: 'root' }).services.identity
      .environment;
    expect(env.BOOTSTRAP_ADMIN_USERNAME).toBe('root');
    expect(env.BOOTSTRAP_ADMIN_EMAIL).toBe('admin@example.com');
    expect(env.BOOTSTRAP_ADMIN_PASSWORD).toBe(COMPOSE_EXAMPLE_ENV.ADMIN_PASSWORD);
  });
});

describe('interpolate', () => {
  it('when given the forms docker compose knows, then it resolves them as compose does', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's syntax, not a template
    expect(interpolate('${A} ${B:-dflt} ${C:-dflt} $${x}', { A: 'a', C: 'c' })).toBe('a dflt c ${x}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's syntax, not a template
    expect(() => interpolate('${A:?give A}', { A: '' })).toThrow(/give A/);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: compose YAML
type Breakage = [string, (doc: any) => void, RegExp];
const breakages: Breakage[] = [
  [
    'a database port published',
    (d) => (d.services.mongo.ports = ['27017:27017']),
    /^mongo: publishes "27017:27017"/,
  ],
  [
    'the AMQP port published',
    (d) => d.services.rabbitmq.ports.push('5672:5672'),
    /^rabbitmq: publishes "5672:5672"/,
  ],
  [
    'a service without a healthcheck',
    (d) => delete d.services.tickets.healthcheck,
    /^gateway: waits for tickets to be healthy, but tickets has no healthcheck/,
  ],
  [
    'depends_on as a plain list',
    (d) => (d.services.reporting.depends_on = ['mongo']),
    /^reporting: depends_on must say which condition/,
  ],
  [
    'a dependency that only waits for a start',
    (d) => (d.services.sla.depends_on.temporal.condition = 'service_started'),
    /^sla: depends on temporal with condition service_started/,
  ],
  [
    'waiting on a long-running service to complete',
    (d) => (d.services.sla.depends_on.identity.condition = 'service_completed_successfully'),
    /^sla: waits for identity to complete/,
  ],
  ['a service missing', (d) => delete d.services.reporting, /^service reporting is missing/],
  [
    'neither image nor build',
    (d) => delete d.services['temporal-ui'].image,
    /^temporal-ui: has neither image nor build/,
  ],
  [
    'an undeclared named volume',
    (d) => delete d.volumes['mongo-data'],
    /^mongo: volume mongo-data is not declared/,
  ],
  [
    'MongoDB without a replica set',
    (d) => (d.services.mongo.command = ['--bind_ip_all']),
    /^mongo: not a replica set/,
  ],
  [
    'a service env its config rejects',
    (d) => delete d.services.reporting.environment.MONGO_URL,
    /^reporting: the service rejects its env: .*MONGO_URL/s,
  ],
  [
    'no first admin',
    (d) => delete d.services.identity.environment.BOOTSTRAP_ADMIN_EMAIL,
    /BOOTSTRAP_ADMIN_EMAIL/,
  ],
];

describe('the compose checks', () => {
  it.each(breakages)('when the file has %s, then the check fails', async (_, breakIt, finding) => {
    const doc = fresh();
    breakIt(doc);
    const problems = await checkCompose(doc);
    expect(
      problems.some((p) => finding.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });
});
