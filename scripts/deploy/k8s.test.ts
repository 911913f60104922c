import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkManifests, OVERLAYS, overlayDir } from './check-k8s.ts';
import { type K8sObject, renderKustomization } from './render.ts';

const rendered = new Map<string, K8sObject[]>();
beforeAll(() => {
  for (const overlay of OVERLAYS) rendered.set(overlay, renderKustomization(overlayDir(overlay)).objects);
}, 60_000);
const objectsOf = (overlay: string): K8sObject[] => structuredClone(rendered.get(overlay) ?? []);
const names = (objects: K8sObject[], kind: string) =>
  objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();
const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
};
const container = (objects: K8sObject[], name: string) =>
  find(objects, 'Deployment', name).spec.template.spec.containers[0];

describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay) => {
  it('when rendered, then every object is schema-valid and passes every rule', async () => {
    expect(await checkManifests(objectsOf(overlay))).toEqual([]);
  }, 30_000);

  it('when rendered, then each service has a Deployment and a Service, the sla worker apart, all in one namespace', () => {
    const objects = objectsOf(overlay);
    const own = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'helpdesk');
    expect(names(own, 'Deployment')).toEqual([
      'gateway',
      'identity',
      'reporting',
      'sla',
      'sla-worker',
      'tickets',
    ]);
    expect(names(own, 'Service')).toEqual(['gateway', 'identity', 'reporting', 'sla', 'tickets']);
    expect(names(own, 'HorizontalPodAutoscaler')).toEqual(['gateway', 'reporting', 'tickets']);
    expect(names(own, 'PodDisruptionBudget')).toEqual(names(own, 'Deployment'));
    expect(names(own, 'Ingress')).toEqual(['gateway']);
    expect(names(own, 'Job')).toEqual(['helpdesk-bootstrap']);
    const namespaces = new Set(
      objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace),
    );
    expect(namespaces).toEqual(new Set([overlay === 'prod' ? 'helpdesk' : 'helpdesk-dev']));
    const env = (name: string) =>
      Object.fromEntries(
        container(objects, name).env.map((e: { name: string; value?: string }) => [e.name, e.value]),
      );
    expect(env('sla').SLA_WORKER).toBe('false');
    expect(env('sla-worker').SLA_WORKER).toBe('true');
  });
});

describe('the dev and prod overlays', () => {
  it('when dev is rendered, then it brings single-instance MongoDB, RabbitMQ and Temporal with its database', () => {
    const objects = objectsOf('dev');
    expect(names(objects, 'StatefulSet')).toEqual(['mongodb', 'rabbitmq', 'temporal-postgres']);
    expect(names(objects, 'Deployment')).toContain('temporal');
    expect(names(objects, 'Job')).toEqual(['helpdesk-bootstrap', 'mongodb-rs-init', 'temporal-init']);
    expect(find(objects, 'StatefulSet', 'mongodb').spec.template.spec.containers[0].args).toContain(
      '--replSet',
    );
  });

  it('when prod is rendered, then it runs no datastore and commits no Secret', () => {
    const objects = objectsOf('prod');
    expect(names(objects, 'StatefulSet')).toEqual([]);
    expect(names(objects, 'Secret')).toEqual([]);
    expect(find(objects, 'Ingress', 'gateway').spec.tls).toHaveLength(1);
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/helpdesk\/\w+:\d/);
    }
  });
});

type Breakage = [string, (objects: K8sObject[]) => void, RegExp];
const breakages: Breakage[] = [
  [
    'a Deployment without a liveness probe',
    (o) => delete container(o, 'tickets').livenessProbe,
    /Deployment\/tickets: .*no livenessProbe/,
  ],
  [
    'a readiness probe on /healthz',
    (o) => (container(o, 'gateway').readinessProbe.httpGet.path = '/healthz'),
    /gateway: .*readinessProbe is not an HTTP GET of \/readyz/,
  ],
  [
    'a container without a memory limit',
    (o) => delete container(o, 'sla-worker').resources.limits.memory,
    /sla-worker: .*no resources.limits.memory/,
  ],
  [
    'privilege escalation allowed',
    (o) => (container(o, 'identity').securityContext.allowPrivilegeEscalation = true),
    /identity: .*allowPrivilegeEscalation/,
  ],
  [
    'a writable root filesystem',
    (o) => (container(o, 'reporting').securityContext.readOnlyRootFilesystem = false),
    /reporting: .*readOnlyRootFilesystem/,
  ],
  [
    'a pod that may run as root',
    (o) => delete find(o, 'Deployment', 'sla').spec.template.spec.securityContext.runAsNonRoot,
    /Deployment\/sla: .*runAsNonRoot/,
  ],
  [
    'capabilities kept',
    (o) => (container(o, 'gateway').securityContext.capabilities = {}),
    /gateway: .*drop does not include ALL/,
  ],
  [
    'the bootstrap Job without limits',
    (o) => delete find(o, 'Job', 'helpdesk-bootstrap').spec.template.spec.containers[0].resources,
    /Job\/helpdesk-bootstrap: .*no resources.limits.cpu/,
  ],
  [
    'a schema violation',
    (o) => (find(o, 'Deployment', 'identity').spec.replicas = 'two'),
    /Deployment\/identity: .*replicas must be integer/,
  ],
  [
    'a Service selecting nothing',
    (o) => (find(o, 'Service', 'tickets').spec.selector['app.kubernetes.io/name'] = 'ticket'),
    /Service\/tickets: selects no Deployment/,
  ],
  [
    'an HPA of a missing Deployment',
    (o) => (find(o, 'HorizontalPodAutoscaler', 'reporting').spec.scaleTargetRef.name = 'reports'),
    /HorizontalPodAutoscaler\/reporting: targets Deployment\/reports/,
  ],
  [
    'replicas fighting an HPA',
    (o) => (find(o, 'Deployment', 'gateway').spec.replicas = 2),
    /HorizontalPodAutoscaler\/gateway: .*sets spec.replicas/,
  ],
  [
    'a PodDisruptionBudget selecting nothing',
    (o) =>
      (find(o, 'PodDisruptionBudget', 'sla').spec.selector.matchLabels['app.kubernetes.io/component'] =
        'apis'),
    /PodDisruptionBudget\/sla: selects no pods/,
  ],
  [
    'no default deny',
    (o) => o.splice(o.indexOf(find(o, 'NetworkPolicy', 'default-deny')), 1),
    /no default deny/,
  ],
  [
    'tickets open to another namespace',
    (o) => find(o, 'NetworkPolicy', 'from-gateway').spec.ingress.push({ from: [{ namespaceSelector: {} }] }),
    /NetworkPolicy\/from-gateway: admits traffic from outside/,
  ],
  [
    'an Ingress to a service other than the gateway',
    (o) => (find(o, 'Ingress', 'gateway').spec.rules[0].http.paths[0].backend.service.name = 'tickets'),
    /Ingress\/gateway: exposes tickets/,
  ],
  [
    'a service without its MONGO_URL',
    (o) =>
      (container(o, 'tickets').env = container(o, 'tickets').env.filter(
        (e: { name: string }) => e.name !== 'MONGO_URL',
      )),
    /Deployment\/tickets: the tickets service rejects its env: .*MONGO_URL/s,
  ],
  [
    'a Secret key that does not exist',
    (o) =>
      (container(o, 'sla').env.find(
        (e: { name: string }) => e.name === 'MONGO_URL',
      ).valueFrom.secretKeyRef.key = 'SLA_MONGO'),
    /Deployment\/sla: MONGO_URL: Secret\/helpdesk-secrets has no key SLA_MONGO/,
  ],
  [
    'no egress to Temporal',
    (o) => o.splice(o.indexOf(find(o, 'NetworkPolicy', 'to-temporal')), 1),
    /Deployment\/sla-worker: egress to temporal:7233 \(TEMPORAL_ADDRESS\) is not allowed/,
  ],
  [
    'identity closed to reporting',
    (o) =>
      find(
        o,
        'NetworkPolicy',
        'identity',
      ).spec.ingress[0].from[0].podSelector.matchExpressions[0].values.pop(),
    /Deployment\/reporting: identity:8081 does not admit it \(IDENTITY_URL\)/,
  ],
  [
    'no route from the gateway to reporting',
    (o) => find(o, 'NetworkPolicy', 'gateway').spec.egress.pop(),
    /Deployment\/gateway: egress to reporting:8084 \(REPORTING_URL\) is not allowed/,
  ],
  [
    'the dev MongoDB closed to the services',
    (o) => delete find(o, 'NetworkPolicy', 'dev-infra').spec.ingress,
    /Deployment\/tickets: mongodb:27017 does not admit it \(MONGO_URL\)/,
  ],
];

describe('the manifest checks', () => {
  it.each(breakages)('when the dev overlay has %s, then the check fails', async (_, breakIt, finding) => {
    const objects = objectsOf('dev');
    breakIt(objects);
    const problems = await checkManifests(objects);
    expect(
      problems.some((p) => finding.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  describe('when an overlay patches away the probes and the read-only root filesystem', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'broken-overlay-'));
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        [
          'resources:',
          `  - ${relative(dir, overlayDir('dev'))}`,
          'patches:',
          '  - target: { kind: Deployment, name: tickets }',
          '    patch: |-',
          '      - op: remove',
          '        path: /spec/template/spec/containers/0/readinessProbe',
          '      - op: replace',
          '        path: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem',
          '        value: false',
        ].join('\n'),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('then rendering it with kustomize and checking the output fails on both', async () => {
      const problems = await checkManifests(renderKustomization(dir).objects);
      expect(problems).toEqual([
        'Deployment/tickets: container tickets: readOnlyRootFilesystem is not true',
        'Deployment/tickets: container tickets: no readinessProbe',
      ]);
    }, 30_000);
  });
});
