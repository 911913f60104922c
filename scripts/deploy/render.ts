import { parseAllDocuments } from 'yaml';
import { kustomizeCommand, run } from './tools.ts';

/** A Kubernetes object as rendered; the checks read the fields they need and trust nothing. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary YAML, checked field by field
  [field: string]: any;
}

/** Parses a multi-document YAML stream; a syntax error throws with the document's position. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    if (value === null) continue;
    if (typeof value !== 'object' || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 120)}`);
    }
    objects.push(value);
  }
  return objects;
}

/** Renders a kustomization directory (an overlay) with kustomize. */
export function renderKustomization(dir: string): { yaml: string; objects: K8sObject[] } {
  const { file, args } = kustomizeCommand();
  const yaml = run(file, [...args, dir]);
  return { yaml, objects: parseManifests(yaml) };
}

export const describe = (o: K8sObject): string => `${o.kind}/${o.metadata?.name ?? '(no name)'}`;
