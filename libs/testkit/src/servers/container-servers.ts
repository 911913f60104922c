import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoDBContainer } from '@testcontainers/mongodb';
import { RabbitMQContainer } from '@testcontainers/rabbitmq';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import type { ServerName, ServerParts } from './server-parts.ts';
import { TEMPORAL_NAMESPACE } from './test-servers.ts';

const IMAGES = {
  mongo: process.env.HELPDESK_MONGO_IMAGE ?? 'mongo:8',
  rabbitmq: process.env.HELPDESK_RABBITMQ_IMAGE ?? 'rabbitmq:4-management',
  temporal: process.env.HELPDESK_TEMPORAL_IMAGE ?? 'temporalio/temporal:latest',
};

/**
 * Whether a container runtime answers, decided in seconds: without any socket or DOCKER_HOST
 * there is nothing to ask, and testcontainers' own discovery is bounded by a timeout.
 */
export async function containerRuntimeAvailable(timeoutMs = 5_000): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !knownSockets().some((socket) => existsSync(socket))) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function knownSockets(): string[] {
  const home = os.homedir();
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return [
    '/var/run/docker.sock',
    '/run/podman/podman.sock',
    path.join(home, '.docker/run/docker.sock'),
    path.join(home, '.docker/desktop/docker.sock'),
    path.join(home, '.colima/default/docker.sock'),
    path.join(home, '.rd/docker.sock'),
    ...(runtimeDir
      ? [path.join(runtimeDir, 'docker.sock'), path.join(runtimeDir, 'podman/podman.sock')]
      : []),
  ];
}

export type ContainerServers = { parts: ServerParts; stop: () => Promise<void> };

/** Starts a container for each missing server, in parallel; stops the started ones if one fails. */
export async function containerServers(names: readonly ServerName[]): Promise<ContainerServers> {
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((container) => container.stop()));
  };
  const parts: ServerParts = {};
  const starts = names.map(async (name) => {
    if (name === 'mongo') {
      // A replica set, because real MongoDB only offers transactions and change streams there.
      const mongo = await new MongoDBContainer(IMAGES.mongo).start();
      started.push(mongo);
      parts.mongo = { mongoUrl: `${mongo.getConnectionString()}?directConnection=true` };
    } else if (name === 'amqp') {
      const rabbit = await new RabbitMQContainer(IMAGES.rabbitmq).start();
      started.push(rabbit);
      const host = rabbit.getHost();
      parts.amqp = {
        amqpUrl: `amqp://guest:guest@${host}:${rabbit.getMappedPort(5672)}`,
        amqpManagementUrl: `http://guest:guest@${host}:${rabbit.getMappedPort(15672)}`,
      };
    } else {
      const temporal = await new GenericContainer(IMAGES.temporal)
        .withCommand([
          'server',
          'start-dev',
          '--ip',
          '0.0.0.0',
          '--headless',
          '--namespace',
          TEMPORAL_NAMESPACE,
        ])
        .withExposedPorts(7233)
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(60_000)
        .start();
      started.push(temporal);
      parts.temporal = {
        temporalAddress: `${temporal.getHost()}:${temporal.getMappedPort(7233)}`,
        temporalNamespace: TEMPORAL_NAMESPACE,
      };
    }
  });
  const results = await Promise.allSettled(starts);
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected' ? [`${names[i]}: ${errorMessage(result.reason)}`] : [],
  );
  if (failures.length > 0) {
    await stop();
    throw new Error(`containers did not start (${failures.join('; ')})`);
  }
  return { parts, stop };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
