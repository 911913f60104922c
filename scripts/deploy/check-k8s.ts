import { join } from 'node:path';
import { checkServiceEnv } from './env-rules.ts';
import { validateSchemas } from './k8s-schema.ts';
import { checkReachability } from './network-reach.ts';
import { checkNetworkPolicies } from './network-rules.ts';
import type { K8sObject } from './render.ts';
import { ROOT } from './tools.ts';
import { checkTopology } from './topology-rules.ts';
import { checkWorkloads } from './workload-rules.ts';

export const OVERLAYS = ['dev', 'prod'] as const;
export const overlayDir = (name: string): string => join(ROOT, 'deploy', 'k8s', 'overlays', name);

/** Every check of rendered manifests; an empty list means they pass. */
export async function checkManifests(objects: K8sObject[]): Promise<string[]> {
  return [
    ...(await validateSchemas(objects)),
    ...checkWorkloads(objects),
    ...checkTopology(objects),
    ...checkNetworkPolicies(objects),
    ...(await checkReachability(objects)),
    ...(await checkServiceEnv(objects)),
  ];
}
