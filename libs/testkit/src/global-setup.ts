import type { TestProject } from 'vitest/node';
import { containerRuntimeAvailable, containerServers } from './servers/container-servers.ts';
import { envServers } from './servers/env-servers.ts';
import { localServers } from './servers/local-servers.ts';
import { assertReachable } from './servers/probe.ts';
import { combineParts, missingServers, type ServerParts } from './servers/server-parts.ts';
import { assertTemporalReady } from './servers/temporal-ready.ts';
import { serversToEnv, type TestServers } from './servers/test-servers.ts';

type Strategy = 'containers' | 'local';

/**
 * Finds the servers for the `int` tests: the caller's (env) first, then containers when a
 * runtime answers, then the local stand-ins. HELPDESK_TEST_SERVERS=containers|local forces the
 * fallback. A server that cannot be had fails the run: integration tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = envServers(process.env);
  const missing = missingServers(given);
  let teardown = async () => {};
  let servers: TestServers;

  if (missing.length === 0) {
    servers = combineParts(given, {}, 'env');
  } else {
    const strategy = await chooseStrategy();
    let fallback: ServerParts;
    let source: 'container' | 'local' = 'local';
    if (strategy === 'containers') {
      try {
        const containers = await containerServers(missing);
        fallback = containers.parts;
        source = 'container';
        teardown = containers.stop;
      } catch (error) {
        if (process.env.HELPDESK_TEST_SERVERS === 'containers') throw error;
        console.warn(`testkit: ${(error as Error).message}; using the local stand-ins instead`);
        fallback = await localServers();
      }
    } else {
      fallback = await localServers();
    }
    servers = combineParts(given, fallback, source);
  }

  try {
    await verify(servers);
  } catch (error) {
    await teardown();
    throw error;
  }
  Object.assign(process.env, serversToEnv(servers));
  project.provide('testServers', servers);
  return teardown;
}

async function chooseStrategy(): Promise<Strategy> {
  const forced = process.env.HELPDESK_TEST_SERVERS;
  if (forced === 'containers' || forced === 'local') return forced;
  if (forced) throw new Error(`HELPDESK_TEST_SERVERS must be "containers" or "local", not "${forced}"`);
  return (await containerRuntimeAvailable()) ? 'containers' : 'local';
}

async function verify(servers: TestServers): Promise<void> {
  const { sources } = servers;
  await Promise.all([
    assertReachable('MongoDB', servers.mongoUrl, 27017, origin(sources.mongo, 'MONGO_URL')),
    assertReachable('RabbitMQ', servers.amqpUrl, 5672, origin(sources.amqp, 'AMQP_URL')),
    assertTemporalReady(
      servers.temporalAddress,
      servers.temporalNamespace,
      origin(sources.temporal, 'TEMPORAL_ADDRESS'),
      sources.temporal === 'container' ? 60_000 : 10_000,
    ),
  ]);
}

function origin(source: TestServers['sources']['mongo'], envName: string): string {
  if (source === 'env') return `from ${envName}`;
  return source === 'container' ? 'started in a container' : 'started by scripts/infra.sh';
}
