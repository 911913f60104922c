import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServerParts } from './server-parts.ts';
import { TEMPORAL_NAMESPACE } from './test-servers.ts';

/** The repository's scripts/infra.sh, found from this file so any working directory works. */
export function infraScript(from = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'scripts', 'infra.sh');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`scripts/infra.sh not found above ${from}`);
    dir = parent;
  }
}

/** Starts (or reuses) the local stand-ins; the servers outlive the test run on purpose. */
export async function localServers(): Promise<ServerParts> {
  const script = infraScript();
  const { code, stdout, stderr } = await run('bash', [script, 'up', '--test']);
  if (code !== 0) {
    const tail = stderr.trim().split('\n').slice(-15).join('\n');
    throw new Error(`scripts/infra.sh up --test exited with ${code}:\n${tail}`);
  }
  const env = parseExports(stdout);
  const need = ['MONGO_URL', 'AMQP_URL', 'AMQP_MANAGEMENT_URL', 'TEMPORAL_ADDRESS'] as const;
  const absent = need.filter((name) => !env[name]);
  if (absent.length > 0) throw new Error(`scripts/infra.sh up printed no ${absent.join(', ')}`);
  return {
    mongo: { mongoUrl: env.MONGO_URL as string },
    amqp: { amqpUrl: env.AMQP_URL as string, amqpManagementUrl: env.AMQP_MANAGEMENT_URL as string },
    temporal: {
      temporalAddress: env.TEMPORAL_ADDRESS as string,
      temporalNamespace: env.TEMPORAL_NAMESPACE ?? TEMPORAL_NAMESPACE,
    },
    ...(env.TEMPORAL_TEST_SERVER_PATH ? { temporalTestServerPath: env.TEMPORAL_TEST_SERVER_PATH } : {}),
  };
}

export function parseExports(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) env[match[1]] = (match[2] ?? '').replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/** Runs a command, echoing its progress (stderr) live while keeping it for the error message. */
function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
