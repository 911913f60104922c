import { containerEnv } from './env-rules.ts';
import { describe, type K8sObject } from './render.ts';
import { configLoader, serviceOfImage } from './service-config.ts';
import { selects } from './topology-rules.ts';
import { isOwn, isWorkload, podLabels, podSpec } from './workload-rules.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest fields, checked one by one
type Json = any;
type Labels = Record<string, string>;
interface Target {
  what: string;
  port: number;
  /** Labels of the pods behind an in-namespace Service; undefined for an outside host. */
  pods?: Labels[];
  portName?: string;
}

/** The settings through which a service connects somewhere, and the port each defaults to. */
const CONNECTIONS: Record<string, number> = {
  MONGO_URL: 27017,
  AMQP_URL: 5672,
  TEMPORAL_ADDRESS: 7233,
  IDENTITY_URL: 80,
  JWKS_URL: 80,
  TICKETS_URL: 80,
  SLA_URL: 80,
  REPORTING_URL: 80,
};

function endpoints(key: string, value: string): { host: string; port: number }[] {
  if (key === 'TEMPORAL_ADDRESS') {
    const [host = '', port] = value.split(':');
    return [{ host, port: Number(port) }];
  }
  const m = /^([a-z+]+):\/\/(?:[^@/]*@)?([^/?]+)/.exec(value);
  if (!m?.[2]) return [];
  const fallback = m[1] === 'amqps' ? 5671 : m[1] === 'https' ? 443 : (CONNECTIONS[key] ?? 80);
  return m[2].split(',').map((hp) => {
    const [host = '', port] = hp.split(':');
    return { host, port: port ? Number(port) : fallback };
  });
}

/**
 * Whether the NetworkPolicies let every workload of ours reach what its config connects to
 * (MongoDB, RabbitMQ, Temporal, identity, the gateway's upstreams) and let the in-namespace targets
 * accept it: the default deny must not cut a connection the topology needs.
 */
export async function checkReachability(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const workloads = objects.filter(isWorkload);
  for (const w of workloads.filter(isOwn)) {
    for (const c of podSpec(w).containers ?? []) {
      const service = serviceOfImage(c.image);
      if (!service) continue;
      const { env } = containerEnv(c, objects);
      // Only what the process reads: a Deployment's config as its service parses it, a Job's raw env.
      const used: Record<string, unknown> =
        w.kind === 'Job'
          ? env
          : ((await configLoader(service)
              .then((load) => load(env))
              .catch(() => env)) as Json);
      for (const key of Object.keys(CONNECTIONS)) {
        const value = used[key];
        if (typeof value !== 'string') continue;
        for (const { host, port } of endpoints(key, value)) {
          const target = resolve(host, port, objects, workloads);
          const from = podLabels(w);
          if (!egressAllowed(policies, from, target)) {
            problems.push(`${describe(w)}: egress to ${target.what} (${key}) is not allowed`);
          }
          if (target.pods && !target.pods.every((to) => ingressAllowed(policies, to, from, target))) {
            problems.push(`${describe(w)}: ${target.what} does not admit it (${key})`);
          }
        }
      }
    }
  }
  return [...new Set(problems)];
}

function resolve(host: string, port: number, objects: K8sObject[], workloads: K8sObject[]): Target {
  const name = host.split('.')[0];
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === name);
  const what = `${host}:${port}`;
  if (!svc) return { what, port };
  const sp = (svc.spec?.ports ?? []).find((p: Json) => p.port === port);
  const pods = workloads.filter((w) => selects({ matchLabels: svc.spec?.selector ?? {} }, podLabels(w)));
  const targetPort = sp?.targetPort ?? port;
  let number = typeof targetPort === 'number' ? targetPort : Number.NaN;
  for (const w of pods) {
    for (const c of podSpec(w).containers ?? []) {
      for (const p of c.ports ?? []) if (p.name === targetPort) number = p.containerPort;
    }
  }
  return {
    what,
    port: number,
    pods: pods.map(podLabels),
    portName: typeof targetPort === 'string' ? targetPort : undefined,
  };
}

const portMatches = (rule: Json, t: Target) =>
  !rule.ports ||
  rule.ports.length === 0 ||
  rule.ports.some(
    (p: Json) =>
      (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === t.port || p.port === t.portName),
  );

function peerMatches(peers: Json[] | undefined, labels: Labels | undefined): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock) return labels === undefined;
    if (peer.namespaceSelector) {
      const anyNamespace = Object.keys(peer.namespaceSelector).length === 0;
      return (
        labels === undefined || (anyNamespace && (!peer.podSelector || selects(peer.podSelector, labels)))
      );
    }
    return labels !== undefined && selects(peer.podSelector ?? {}, labels);
  });
}

function allowed(
  policies: K8sObject[],
  pod: Labels,
  type: 'Ingress' | 'Egress',
  test: (rule: Json) => boolean,
): boolean {
  const applying = policies.filter(
    (p) => (p.spec?.policyTypes ?? []).includes(type) && selects(p.spec?.podSelector ?? {}, pod),
  );
  if (applying.length === 0) return true;
  return applying.some((p) => (p.spec?.[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).some(test));
}

const egressAllowed = (policies: K8sObject[], from: Labels, t: Target) =>
  (t.pods ?? [undefined]).every((to) =>
    allowed(policies, from, 'Egress', (r) => portMatches(r, t) && peerMatches(r.to, to)),
  );

const ingressAllowed = (policies: K8sObject[], to: Labels, from: Labels, t: Target) =>
  allowed(policies, to, 'Ingress', (r) => portMatches(r, t) && peerMatches(r.from, from));
