import { describe, type K8sObject } from './render.ts';
import { isWorkload, podLabels, podSpec } from './workload-rules.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest fields, checked one by one
type Json = any;
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Json[] };

/** Whether a label selector selects these labels (matchLabels and the In / NotIn / Exists operators). */
export function selects(selector: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const value = labels[e.key];
    if (e.operator === 'In' && !(value !== undefined && e.values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && e.values.includes(value)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

const isEmpty = (s: Selector | undefined) =>
  !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/**
 * How the objects refer to each other: Services, PodDisruptionBudgets and NetworkPolicies select
 * existing pods, HPAs target existing Deployments that leave `replicas` to them, the Ingress sends
 * only to the gateway's Service, ConfigMaps and Secrets named in env exist (a Secret absent from
 * the output is one the operator provides, and is fine).
 */
export function checkTopology(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const say = (o: K8sObject, msg: string) => problems.push(`${describe(o)}: ${msg}`);
  const workloads = objects.filter((o) => isWorkload(o) && o.kind !== 'Job');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const selected = (s: Selector) => workloads.filter((w) => selects(s, podLabels(w)));

  for (const svc of byKind('Service')) {
    const selector = { matchLabels: svc.spec?.selector ?? {} };
    const targets = isEmpty(selector) ? [] : selected(selector);
    if (targets.length === 0) {
      say(svc, 'selects no Deployment or StatefulSet');
      continue;
    }
    const ports = new Set<string | number>();
    for (const w of targets) {
      for (const c of podSpec(w).containers ?? []) {
        for (const p of c.ports ?? []) {
          ports.add(p.containerPort);
          if (p.name) ports.add(p.name);
        }
      }
    }
    for (const p of svc.spec?.ports ?? []) {
      if (!ports.has(p.targetPort ?? p.port))
        say(svc, `targetPort ${p.targetPort ?? p.port} is no container port`);
    }
  }

  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
    if (!target || ref.kind !== 'Deployment')
      say(hpa, `targets ${ref.kind}/${ref.name}, which is no Deployment here`);
    else if (target.spec?.replicas !== undefined) {
      say(hpa, `Deployment/${ref.name} sets spec.replicas, which every apply would reset under the HPA`);
    }
    if ((hpa.spec?.minReplicas ?? 1) > hpa.spec?.maxReplicas) say(hpa, 'minReplicas is above maxReplicas');
  }

  for (const pdb of byKind('PodDisruptionBudget')) {
    if (isEmpty(pdb.spec?.selector) || selected(pdb.spec.selector).length === 0) say(pdb, 'selects no pods');
  }

  const services = new Map(byKind('Service').map((s) => [s.metadata.name, s]));
  for (const ing of byKind('Ingress')) {
    for (const rule of ing.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend?.service ?? {};
        const svc = services.get(backend.name);
        if (!svc) say(ing, `backend ${backend.name} is no Service here`);
        else if (svc.spec?.selector?.['app.kubernetes.io/name'] !== 'gateway') {
          say(ing, `exposes ${backend.name}; only the gateway is public`);
        } else if (
          !(svc.spec.ports ?? []).some(
            (p: Json) => p.name === backend.port?.name || p.port === backend.port?.number,
          )
        ) {
          say(ing, `backend port ${JSON.stringify(backend.port)} is not a port of Service/${backend.name}`);
        }
      }
    }
  }

  const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, c]));
  const secrets = new Map(byKind('Secret').map((s) => [s.metadata.name, s]));
  for (const w of objects.filter(isWorkload)) {
    for (const c of [...(podSpec(w).containers ?? []), ...(podSpec(w).initContainers ?? [])]) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) {
          say(w, `envFrom ConfigMap/${from.configMapRef.name} does not exist`);
        }
      }
      for (const env of c.env ?? []) {
        const cm = env.valueFrom?.configMapKeyRef;
        if (cm && configMaps.get(cm.name)?.data?.[cm.key] === undefined)
          say(w, `${env.name}: no ConfigMap key ${cm.name}.${cm.key}`);
        const sk = env.valueFrom?.secretKeyRef;
        const secret = sk && secrets.get(sk.name);
        if (secret && (secret.data ?? secret.stringData)?.[sk.key] === undefined) {
          say(w, `${env.name}: Secret/${sk.name} has no key ${sk.key}`);
        }
      }
    }
  }
  return problems;
}
