import { describe, type K8sObject } from './render.ts';
import { selects } from './topology-rules.ts';
import { isWorkload, podLabels } from './workload-rules.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest fields, checked one by one
type Json = any;

const GATEWAY = { 'app.kubernetes.io/name': 'gateway' };

/**
 * The NetworkPolicy shape: a default deny of ingress and egress for every pod, DNS allowed to every
 * pod, every policy selecting pods that exist, and traffic from outside the namespace (another
 * namespace, an IP block, or anyone) admitted only to the gateway's pods.
 */
export function checkNetworkPolicies(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const pods = objects.filter(isWorkload).map(podLabels);
  const selectsAll = (p: K8sObject) => Object.keys(p.spec?.podSelector ?? {}).length === 0;

  const denyAll = policies.some(
    (p) =>
      selectsAll(p) &&
      ['Ingress', 'Egress'].every((t) => (p.spec?.policyTypes ?? []).includes(t)) &&
      (p.spec?.ingress ?? []).length === 0 &&
      (p.spec?.egress ?? []).length === 0,
  );
  if (!denyAll)
    problems.push(
      'NetworkPolicy: no default deny (podSelector {}, policyTypes Ingress and Egress, no rules)',
    );

  const dns = policies.some(
    (p) =>
      selectsAll(p) &&
      (p.spec?.egress ?? []).some((rule: Json) =>
        (rule.ports ?? []).some((port: Json) => port.port === 53 && (port.protocol ?? 'TCP') === 'UDP'),
      ),
  );
  if (!dns) problems.push('NetworkPolicy: no policy lets every pod reach DNS (UDP 53)');

  for (const p of policies) {
    const say = (msg: string) => problems.push(`${describe(p)}: ${msg}`);
    const selector = p.spec?.podSelector ?? {};
    const targets = pods.filter((labels) => selects(selector, labels));
    if (!selectsAll(p) && targets.length === 0) say('selects no pods');
    for (const rule of p.spec?.ingress ?? []) {
      const peers: Json[] = rule.from ?? [];
      const external = peers.length === 0 || peers.some((peer) => peer.namespaceSelector || peer.ipBlock);
      if (!external) continue;
      const onlyGateway =
        targets.length > 0 && targets.every((labels) => selects({ matchLabels: GATEWAY }, labels));
      if (!onlyGateway || selectsAll(p))
        say('admits traffic from outside the namespace to pods other than the gateway');
    }
  }
  return problems;
}
