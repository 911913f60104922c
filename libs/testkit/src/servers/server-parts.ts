import type { ServerSource, TestServers } from './test-servers.ts';

export type MongoPart = { mongoUrl: string };
export type AmqpPart = { amqpUrl: string; amqpManagementUrl: string };
export type TemporalPart = { temporalAddress: string; temporalNamespace: string };

/** What one way of getting servers produced; a missing part is one it does not provide. */
export type ServerParts = {
  mongo?: MongoPart;
  amqp?: AmqpPart;
  temporal?: TemporalPart;
  temporalTestServerPath?: string;
};

export type ServerName = 'mongo' | 'amqp' | 'temporal';
export const SERVER_NAMES: readonly ServerName[] = ['mongo', 'amqp', 'temporal'];

export function missingServers(parts: ServerParts): ServerName[] {
  return SERVER_NAMES.filter((name) => parts[name] === undefined);
}

/** Combines the caller's servers with those a fallback supplied for the missing ones. */
export function combineParts(
  given: ServerParts,
  fallback: ServerParts,
  fallbackSource: ServerSource,
): TestServers {
  const pick = <K extends ServerName>(name: K) => {
    const part = given[name] ?? fallback[name];
    if (!part) throw new Error(`no ${name} server was resolved`);
    return { part: part as NonNullable<ServerParts[K]>, source: given[name] ? 'env' : fallbackSource };
  };
  const mongo = pick('mongo');
  const amqp = pick('amqp');
  const temporal = pick('temporal');
  return {
    ...mongo.part,
    ...amqp.part,
    ...temporal.part,
    temporalTestServerPath: given.temporalTestServerPath ?? fallback.temporalTestServerPath ?? null,
    sources: { mongo: mongo.source, amqp: amqp.source, temporal: temporal.source },
  };
}
