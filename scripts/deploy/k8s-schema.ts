import { describe, type K8sObject } from './render.ts';

type Model = new (data: unknown) => { validate(): void };

/**
 * Validates each object offline against the Kubernetes OpenAPI schemas compiled into the npm
 * package kubernetes-models (types, required fields, formats such as quantities). It does not
 * reject unknown fields; the rules in k8s-rules.ts require the fields that matter by name.
 */
export async function validateSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    let model: Model | undefined;
    try {
      const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<
        string,
        Model
      >;
      model = module[object.kind];
    } catch {
      model = undefined;
    }
    if (!model) {
      problems.push(`${describe(object)}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (err) {
      problems.push(`${describe(object)}: ${(err as Error).message}`);
    }
  }
  return problems;
}
