import { describe, type K8sObject } from './render.ts';

/** The label every workload of ours carries (the base's `labels`); third-party dev infra does not. */
export const OWN_PART_OF = 'helpdesk';
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet']);

// biome-ignore lint/suspicious/noExplicitAny: manifest fields, checked one by one
type Json = any;

export const isWorkload = (o: K8sObject): boolean => WORKLOAD_KINDS.has(o.kind);
export const isOwn = (o: K8sObject): boolean =>
  o.metadata.labels?.['app.kubernetes.io/part-of'] === OWN_PART_OF;
export const podSpec = (o: K8sObject): Json => o.spec?.template?.spec ?? {};
export const podLabels = (o: K8sObject): Record<string, string> => o.spec?.template?.metadata?.labels ?? {};
const containersOf = (o: K8sObject): Json[] => [
  ...(podSpec(o).initContainers ?? []),
  ...(podSpec(o).containers ?? []),
];

/**
 * What every workload must have: requests and limits, a tagged image, a non-root and
 * no-privilege-escalation security context without capabilities, RuntimeDefault seccomp. Ours
 * (part-of: helpdesk) must also have a read-only root filesystem with an emptyDir /tmp, and, as
 * Deployments, startup, liveness and readiness probes on /healthz and /readyz. Dev infrastructure
 * images need writable directories and answer other probes, so they are held to the rest only.
 */
export function checkWorkloads(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter(isWorkload)) {
    const say = (msg: string) => problems.push(`${describe(o)}: ${msg}`);
    const pod = podSpec(o);
    const containers = containersOf(o);
    if ((pod.containers ?? []).length === 0) say('no containers');
    if (o.kind !== 'Job') {
      const selector: Record<string, string> = o.spec?.selector?.matchLabels ?? {};
      const labels = podLabels(o);
      if (Object.keys(selector).length === 0) say('spec.selector.matchLabels is empty');
      for (const [k, v] of Object.entries(selector)) {
        if (labels[k] !== v) say(`selector ${k}=${v} does not match the pod template's labels`);
      }
    }
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) say('uses the host network, PID or IPC namespace');
    for (const c of containers) {
      const where = (msg: string) => say(`container ${c.name}: ${msg}`);
      checkResources(c, where);
      checkSecurity(pod, c, isOwn(o), where);
      if (typeof c.image !== 'string' || !/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(c.image)) {
        where(`image ${c.image} has no tag or digest`);
      } else if (/:latest$/.test(c.image)) where(`image ${c.image} uses the moving tag "latest"`);
    }
    if (isOwn(o)) {
      const tmp = (pod.volumes ?? []).find(
        (v: Json) => v.emptyDir !== undefined && mountsAt(containers, v.name),
      );
      if (!tmp) say('needs an emptyDir volume mounted at /tmp (the root filesystem is read-only)');
    }
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      for (const c of pod.containers ?? [])
        checkProbes(c, isOwn(o), (msg) => say(`container ${c.name}: ${msg}`));
    }
  }
  return problems;
}

function mountsAt(containers: Json[], volume: string): boolean {
  return containers.some((c) =>
    (c.volumeMounts ?? []).some((m: Json) => m.name === volume && m.mountPath === '/tmp'),
  );
}

function checkResources(c: Json, say: (msg: string) => void): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      if (c.resources?.[kind]?.[resource] === undefined) say(`no resources.${kind}.${resource}`);
    }
  }
}

function checkSecurity(pod: Json, c: Json, own: boolean, say: (msg: string) => void): void {
  const podCtx = pod.securityContext ?? {};
  const ctx = c.securityContext ?? {};
  const effective = (field: string) => ctx[field] ?? podCtx[field];
  if (effective('runAsNonRoot') !== true) say('runAsNonRoot is not true');
  const user = effective('runAsUser');
  if (user === 0) say('runs as uid 0');
  if (own && typeof user !== 'number') {
    say('runAsUser is not set: the kubelet cannot verify runAsNonRoot against a named image user');
  }
  if (ctx.allowPrivilegeEscalation !== false) say('allowPrivilegeEscalation is not false');
  if (ctx.privileged === true) say('is privileged');
  const drop: string[] = ctx.capabilities?.drop ?? [];
  if (!drop.includes('ALL')) say('capabilities.drop does not include ALL');
  if ((ctx.capabilities?.add ?? []).length > 0) say('adds capabilities');
  if ((ctx.seccompProfile ?? podCtx.seccompProfile)?.type !== 'RuntimeDefault') {
    say('seccompProfile is not RuntimeDefault');
  }
  if (own && ctx.readOnlyRootFilesystem !== true) say('readOnlyRootFilesystem is not true');
}

function checkProbes(c: Json, own: boolean, say: (msg: string) => void): void {
  const ports = new Set<string | number>();
  for (const p of c.ports ?? []) {
    ports.add(p.containerPort);
    if (p.name) ports.add(p.name);
  }
  const wanted: [string, string | undefined][] = own
    ? [
        ['startupProbe', '/healthz'],
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
      ]
    : [
        ['livenessProbe', undefined],
        ['readinessProbe', undefined],
      ];
  for (const [name, path] of wanted) {
    const probe = c[name];
    if (!probe) {
      say(`no ${name}`);
      continue;
    }
    if (path === undefined) continue;
    if (probe.httpGet?.path !== path) say(`${name} is not an HTTP GET of ${path}`);
    else if (!ports.has(probe.httpGet.port))
      say(`${name} probes port ${probe.httpGet.port}, not a container port`);
  }
}
