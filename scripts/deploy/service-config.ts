import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools.ts';

type Loader = (env: Record<string, string | undefined>) => unknown;
// biome-ignore lint/suspicious/noExplicitAny: zod schemas of any shape
type Schema = { shape: Record<string, any> };

const capitalized = (s: string) => s[0]?.toUpperCase() + s.slice(1);
const configPath = (service: string) => join(ROOT, 'services', service, 'src', 'config.ts');

/**
 * The start-up config loader of a service (`load<Service>Config` in services/<name>/src/config.ts,
 * the source of truth for its env vars), so deployment env can be checked the way the service
 * itself checks it when it starts.
 */
export async function configLoader(service: string): Promise<Loader> {
  const path = configPath(service);
  if (!existsSync(path)) throw new Error(`services/${service}/src/config.ts does not exist`);
  const module = (await import(path)) as Record<string, unknown>;
  const loader = module[`load${capitalized(service)}Config`];
  if (typeof loader !== 'function')
    throw new Error(`services/${service}/src/config.ts has no load${capitalized(service)}Config`);
  return loader as Loader;
}

/** Runs a service's config loader over an env; the loader's message lists every bad variable. */
export async function configProblems(service: string, env: Record<string, string>): Promise<string | null> {
  try {
    (await configLoader(service))(env);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Every env var any service reads: the keys of every zod object schema its config.ts exports. */
export async function allConfigVariables(services: string[]): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  const add = (owner: string, module: Record<string, unknown>) => {
    for (const value of Object.values(module)) {
      const shape = (value as Partial<Schema> | null)?.shape;
      if (!shape || typeof shape !== 'object') continue;
      for (const key of Object.keys(shape)) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(key)) continue;
        if (!found.has(key)) found.set(key, new Set());
        found.get(key)?.add(owner);
      }
    }
  };
  add('kit', (await import(join(ROOT, 'libs', 'kit', 'src', 'config.ts'))) as Record<string, unknown>);
  for (const service of services) {
    if (existsSync(configPath(service)))
      add(service, (await import(configPath(service))) as Record<string, unknown>);
  }
  return found;
}

/** The service an image of ours runs (`.../helpdesk/<name>:tag`), else undefined. */
export function serviceOfImage(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  return /(?:^|\/)helpdesk\/(gateway|identity|tickets|sla|reporting)(?:[:@]|$)/.exec(image)?.[1];
}

export const SERVICES = ['gateway', 'identity', 'tickets', 'sla', 'reporting'] as const;
