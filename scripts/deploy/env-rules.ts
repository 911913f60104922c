import { describe, type K8sObject } from './render.ts';
import { configProblems, serviceOfImage } from './service-config.ts';
import { podSpec } from './workload-rules.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest fields, checked one by one
type Json = any;

/**
 * The shape of each key of the Secret `helpdesk-secrets` that production provides from outside the
 * repository (deploy/k8s/overlays/prod), so its consumers' config can be checked all the same.
 */
export const EXTERNAL_SECRET_EXAMPLES: Record<string, string> = {
  AMQP_URL: 'amqps://helpdesk:secret@rabbitmq.example:5671/helpdesk',
  INTERNAL_TOKEN: 'an-example-internal-token-of-at-least-32-characters',
  IDENTITY_MONGO_URL: 'mongodb://helpdesk:secret@mongodb.example:27017/identity?replicaSet=rs0',
  TICKETS_MONGO_URL: 'mongodb://helpdesk:secret@mongodb.example:27017/tickets?replicaSet=rs0',
  SLA_MONGO_URL: 'mongodb://helpdesk:secret@mongodb.example:27017/sla?replicaSet=rs0',
  REPORTING_MONGO_URL: 'mongodb://helpdesk:secret@mongodb.example:27017/reporting?replicaSet=rs0',
  ADMIN_PASSWORD: 'an example password',
};

/** The env a container starts with: its ConfigMaps, literal values and Secret keys, in that order. */
export function containerEnv(
  container: Json,
  objects: K8sObject[],
): { env: Record<string, string>; missing: string[] } {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const secretValue = (name: string, key: string): string | undefined => {
    const secret = find('Secret', name);
    if (!secret) return EXTERNAL_SECRET_EXAMPLES[key];
    if (secret.stringData?.[key] !== undefined) return String(secret.stringData[key]);
    const data = secret.data?.[key];
    return data === undefined ? undefined : Buffer.from(String(data), 'base64').toString('utf8');
  };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, find('ConfigMap', from.configMapRef.name)?.data ?? {});
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    const value =
      e.value ??
      (e.valueFrom?.secretKeyRef
        ? secretValue(ref.name, ref.key)
        : find('ConfigMap', ref?.name)?.data?.[ref?.key]);
    if (value === undefined) missing.push(e.name);
    else env[e.name] = String(value);
  }
  return { env, missing };
}

/**
 * Each long-running container of ours gets an env its service accepts at start: the service's own
 * config loader (services/<name>/src/config.ts) judges it, as it will in the pod.
 */
export async function checkServiceEnv(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
    for (const c of podSpec(o).containers ?? []) {
      const service = serviceOfImage(c.image);
      if (!service) continue;
      const { env, missing } = containerEnv(c, objects);
      for (const name of missing) problems.push(`${describe(o)}: env ${name} has no value`);
      const problem = await configProblems(service, env);
      if (problem) problems.push(`${describe(o)}: the ${service} service rejects its env: ${problem}`);
    }
  }
  return problems;
}
